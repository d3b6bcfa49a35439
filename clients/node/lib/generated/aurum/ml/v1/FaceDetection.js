"use strict";
// Original file: protos/aurum/ml/v1/detection.proto
Object.defineProperty(exports, "__esModule", { value: true });
