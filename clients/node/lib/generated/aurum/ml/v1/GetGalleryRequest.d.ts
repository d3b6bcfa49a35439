export interface GetGalleryRequest {
    'name'?: (string);
}
export interface GetGalleryRequest__Output {
    'name': (string);
}
