export * from './vector'
export * from './easing'
export * from './attributes'
export * from './timeline'
