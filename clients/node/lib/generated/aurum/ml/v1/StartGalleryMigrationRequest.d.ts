export interface StartGalleryMigrationRequest {
    'gallery'?: (string);
    'model_name'?: (string);
    'model_version'?: (string);
}
export interface StartGalleryMigrationRequest__Output {
    'gallery': (string);
    'model_name': (string);
    'model_version': (string);
}
