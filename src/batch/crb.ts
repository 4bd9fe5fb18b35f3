export function gaussianSpotCrb(): void {}
