"use strict";
// Original file: protos/aurum/ml/v1/processing.proto
Object.defineProperty(exports, "__esModule", { value: true });
exports.NormalizeMode = void 0;
exports.NormalizeMode = {
    NORMALIZE_MODE_UNSPECIFIED: 'NORMALIZE_MODE_UNSPECIFIED',
    NORMALIZE_MODE_MINMAX: 'NORMALIZE_MODE_MINMAX',
    NORMALIZE_MODE_EQUALIZE: 'NORMALIZE_MODE_EQUALIZE',
};
