"use strict";
// Original file: protos/aurum/ml/v1/common.proto
Object.defineProperty(exports, "__esModule", { value: true });
exports.Detector = void 0;
exports.Detector = {
    DETECTOR_UNSPECIFIED: 'DETECTOR_UNSPECIFIED',
    DETECTOR_SCRFD: 'DETECTOR_SCRFD',
    DETECTOR_MTCNN: 'DETECTOR_MTCNN',
    DETECTOR_YUNET: 'DETECTOR_YUNET',
};
