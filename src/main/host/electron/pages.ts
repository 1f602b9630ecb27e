/** Whether a URL is the studio's own page: the built renderer, or the dev server under `npm run dev`. */
export function isOwnPage(url: string): boolean {
  const devServer = process.env.ELECTRON_RENDERER_URL
  if (devServer && url.startsWith(devServer)) return true
  return url.startsWith('file://') && url.includes('/out/renderer/')
}
