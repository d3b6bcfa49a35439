export interface ListModelsRequest {
    'role'?: (string);
}
export interface ListModelsRequest__Output {
    'role': (string);
}
