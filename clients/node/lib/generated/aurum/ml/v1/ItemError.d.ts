export interface ItemError {
    'code'?: (string);
    'message'?: (string);
}
export interface ItemError__Output {
    'code': (string);
    'message': (string);
}
