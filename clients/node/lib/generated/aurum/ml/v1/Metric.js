"use strict";
// Original file: protos/aurum/ml/v1/similarity.proto
Object.defineProperty(exports, "__esModule", { value: true });
exports.Metric = void 0;
exports.Metric = {
    METRIC_UNSPECIFIED: 'METRIC_UNSPECIFIED',
    METRIC_COSINE: 'METRIC_COSINE',
    METRIC_EUCLIDEAN: 'METRIC_EUCLIDEAN',
};
