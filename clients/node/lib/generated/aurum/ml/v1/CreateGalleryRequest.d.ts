export interface CreateGalleryRequest {
    'name'?: (string);
}
export interface CreateGalleryRequest__Output {
    'name': (string);
}
