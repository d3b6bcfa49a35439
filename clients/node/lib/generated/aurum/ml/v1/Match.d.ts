export interface Match {
    'index'?: (number);
    'score'?: (number | string);
    'is_match'?: (boolean);
}
export interface Match__Output {
    'index': (number);
    'score': (number);
    'is_match': (boolean);
}
