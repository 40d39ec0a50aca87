export * from './image-pixels';
