/**
 * The one place the trainer imports TensorFlow.js, so every file shares one engine (and the
 * backend chosen by `selectBackend`).
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
