"use strict";
// Original file: protos/aurum/ml/v1/processing.proto
Object.defineProperty(exports, "__esModule", { value: true });
