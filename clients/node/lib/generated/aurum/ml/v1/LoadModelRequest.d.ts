export interface LoadModelRequest {
    'role'?: (string);
    'version'?: (string);
    'make_default'?: (boolean);
}
export interface LoadModelRequest__Output {
    'role': (string);
    'version': (string);
    'make_default': (boolean);
}
