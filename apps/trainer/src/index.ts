/** The trainer library: transfer learning on TensorFlow.js (used by the CLI and the notebook). */
export { train, defaultCacheDir } from './train';
export type { TrainOptions, TrainResult } from './train';
export { uploadResults, defaultRunName, contentTypeFor, UploadError } from './upload';
export type { UploadOptions, UploadResult } from './upload';
export { selectBackend, nvidiaGpuVisible } from './backend';
export type { BackendChoice, BackendEnvironment, BackendName } from './backend';
export { loadFeatureExtractor, loadModelArtifacts } from './model-loader';
export type { FeatureExtractor, FeatureExtractorOptions } from './model-loader';
export { scanDataset, scanTestImages } from './dataset';
export { computeFeatures, cachePathFor } from './features';
export { splitPartFor, splitPercentage, hashedPathFor, SEED_SPLIT_ROOT } from './split';
export { trainSoftmaxHead, SoftmaxHead, SCHEDULES, DEFAULT_STEPS } from './head';
export type { TrainingMode, HistoryPoint, LabelledVectors } from './head';
export { loadImagePixels } from './images';
export { readBottleneck, parseBottleneck, writeBottleneck } from './bottleneck-file';
export { jsonLinesReporter } from './progress';
export { TrainerInputError } from './errors';
export { tf } from './tf';
