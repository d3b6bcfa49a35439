"use strict";
// Original file: protos/aurum/ml/v1/face_store.proto
Object.defineProperty(exports, "__esModule", { value: true });
