export interface CancelGalleryMigrationRequest {
    'gallery'?: (string);
}
export interface CancelGalleryMigrationRequest__Output {
    'gallery': (string);
}
