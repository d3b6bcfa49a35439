// Original file: protos/aurum/ml/v1/models.proto


export interface ListGalleryMigrationsRequest {
}

export interface ListGalleryMigrationsRequest__Output {
}
