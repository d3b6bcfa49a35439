export declare const ImageFormat: {
    readonly IMAGE_FORMAT_UNSPECIFIED: "IMAGE_FORMAT_UNSPECIFIED";
    readonly IMAGE_FORMAT_JPEG: "IMAGE_FORMAT_JPEG";
    readonly IMAGE_FORMAT_PNG: "IMAGE_FORMAT_PNG";
    readonly IMAGE_FORMAT_WEBP: "IMAGE_FORMAT_WEBP";
};
export type ImageFormat = 'IMAGE_FORMAT_UNSPECIFIED' | 0 | 'IMAGE_FORMAT_JPEG' | 1 | 'IMAGE_FORMAT_PNG' | 2 | 'IMAGE_FORMAT_WEBP' | 3;
export type ImageFormat__Output = typeof ImageFormat[keyof typeof ImageFormat];
