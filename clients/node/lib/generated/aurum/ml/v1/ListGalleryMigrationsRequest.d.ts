export interface ListGalleryMigrationsRequest {
}
export interface ListGalleryMigrationsRequest__Output {
}
