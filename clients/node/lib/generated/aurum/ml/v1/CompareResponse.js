"use strict";
// Original file: protos/aurum/ml/v1/similarity.proto
Object.defineProperty(exports, "__esModule", { value: true });
