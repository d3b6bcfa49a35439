export interface Resize {
    'width'?: (number);
    'height'?: (number);
    'keep_aspect'?: (boolean);
}
export interface Resize__Output {
    'width': (number);
    'height': (number);
    'keep_aspect': (boolean);
}
