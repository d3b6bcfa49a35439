"use strict";
// Original file: protos/aurum/ml/v1/embedding.proto
Object.defineProperty(exports, "__esModule", { value: true });
