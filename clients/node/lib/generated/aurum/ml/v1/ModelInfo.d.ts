export interface ModelInfo {
    'name'?: (string);
    'version'?: (string);
    'execution_provider'?: (string);
}
export interface ModelInfo__Output {
    'name': (string);
    'version': (string);
    'execution_provider': (string);
}
