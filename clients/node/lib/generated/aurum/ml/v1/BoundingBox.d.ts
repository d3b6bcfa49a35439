export interface BoundingBox {
    'x'?: (number | string);
    'y'?: (number | string);
    'width'?: (number | string);
    'height'?: (number | string);
}
export interface BoundingBox__Output {
    'x': (number);
    'y': (number);
    'width': (number);
    'height': (number);
}
