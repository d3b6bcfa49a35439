export interface QualityReport {
    'overall'?: (number | string);
    'sharpness'?: (number | string);
    'brightness'?: (number | string);
    'face_size'?: (number | string);
    'frontality'?: (number | string);
}
export interface QualityReport__Output {
    'overall': (number);
    'sharpness': (number);
    'brightness': (number);
    'face_size': (number);
    'frontality': (number);
}
