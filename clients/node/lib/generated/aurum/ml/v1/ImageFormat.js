"use strict";
// Original file: protos/aurum/ml/v1/processing.proto
Object.defineProperty(exports, "__esModule", { value: true });
exports.ImageFormat = void 0;
exports.ImageFormat = {
    IMAGE_FORMAT_UNSPECIFIED: 'IMAGE_FORMAT_UNSPECIFIED',
    IMAGE_FORMAT_JPEG: 'IMAGE_FORMAT_JPEG',
    IMAGE_FORMAT_PNG: 'IMAGE_FORMAT_PNG',
    IMAGE_FORMAT_WEBP: 'IMAGE_FORMAT_WEBP',
};
