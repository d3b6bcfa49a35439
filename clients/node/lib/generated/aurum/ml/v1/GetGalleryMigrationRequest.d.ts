export interface GetGalleryMigrationRequest {
    'gallery'?: (string);
}
export interface GetGalleryMigrationRequest__Output {
    'gallery': (string);
}
