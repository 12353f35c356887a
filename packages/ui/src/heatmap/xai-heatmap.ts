// SPDX-License-Identifier: Apache-2.0
import { Task } from '@lit/task';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import {
  DeviceLostError,
  HeatmapRenderer,
  InvalidOptionError,
  ShapeMismatchError,
  WebGPUUnavailableError,
  type XaiError,
  acquireDevice,
  isDeviceLost,
  presentPixels,
  blendOutputWidth,
  type PresentTarget,
  readFloat32,
  type AttributionStats,
  type HeatmapReadout,
  renderHeatmapRef,
  validateHeatmapOptions,
  type BlendMode,
  type ColormapName,
  type HeatmapInfo,
  type HeatmapOptions,
  type SignMode,
} from '@webxai/shaders';
import {
  nonFiniteError,
  toAttributionMap,
  toImagePixels,
  type AttributionInput,
  type AttributionMap,
  type ChannelReduce,
  type ImageInput,
  type ImagePixels,
} from '../shared/inputs.js';
import { fire, formatValue, toXaiError, type XaiErrorDetail } from '../shared/events.js';
import { SerialLane } from '../shared/serial-lane.js';
import { colormapGradient, legendTicks } from './legend.js';
import { gpuMapOf, type GpuMap } from './gpu-attribution.js';
import { cursorAfterKey, cursorAtPointer, type Cursor } from './heatmap-cursor.js';
import { describeGpuMap, describeMap } from './heatmap-description.js';
import { heatmapStyles } from './heatmap-styles.js';
import { imageDataToBlob, saveBlob } from './picture-export.js';

/** Which drawing path `<xai-heatmap>` uses: `auto` tries WebGPU and falls back to a 2D canvas. */
export type HeatmapRendererChoice = 'auto' | 'webgpu' | 'canvas2d';

/**
 * The drawing path actually used, reflected as the `rendered-with` attribute. (Not a tfjs backend:
 * results' `backend` names that.)
 */
export type HeatmapRenderPath = 'webgpu' | 'canvas2d';

/** Lifecycle state, reflected as the `state` attribute. */
export type HeatmapState = 'empty' | 'loading' | 'ready' | 'error';

/** Detail of `xai-rendered`. */
export interface HeatmapRenderedDetail {
  readonly renderedWith: HeatmapRenderPath;
  readonly info: HeatmapInfo;
  /** Why WebGPU was not used (drawn with canvas2d under renderer="auto"). */
  readonly fallbackReason?: string;
}

const RENDER_PROPS = [
  'image',
  'attribution',
  'colormap',
  'mode',
  'signed',
  'clip',
  'range',
  'opacity',
  'topK',
  'reversed',
  'reduce',
  'renderer',
  'device',
];

/**
 * `<xai-heatmap>`: an image with its attribution map drawn over it.
 *
 * Colormapping, percentile clipping (a GPU histogram) and blending run in WGSL kernels from
 * `@webxai/shaders` and draw into a WebGPU canvas; without WebGPU (or with `renderer="canvas2d"`)
 * the same kernels' CPU references draw into a 2D canvas, and the `rendered-with` attribute says which
 * path drew the picture. Bad input shows a readable error in place of the picture.
 *
 * An attribution already on the GPU (a tf.Tensor on tfjs's webgpu backend, or `{buffer, shape}`) is
 * drawn from its buffer with no readback: range, percentile clip and the NaN/Inf check are computed
 * on the GPU, so a stream of frames (live video) is not held up by GPU-to-CPU copies. The legend,
 * `info`, `xai-rendered` and a NaN/Inf error follow asynchronously, once the frame's numbers arrive
 * (`renderComplete` waits for them); a map with NaN or Inf is never drawn as a picture.
 *
 * Keyboard: focus the element, then arrow keys move a read-out cursor (Shift: 10 px), Escape hides it.
 *
 * @example
 * ```html
 * <xai-heatmap colormap="RdBu" signed="both" mode="overlay" clip="99"></xai-heatmap>
 * <script type="module">
 *   const el = document.querySelector('xai-heatmap');
 *   el.image = 'cat.png';                      // 224 x 224
 *   el.attribution = await explain(model, x);  // or a tf.Tensor, or { data, shape }
 * </script>
 * ```
 *
 * @fires xai-rendered - a new picture is shown; detail {@link HeatmapRenderedDetail}
 * @fires xai-error - input could not be shown; detail {@link XaiErrorDetail} (`error` is an XaiError)
 * @csspart figure - wrapper of the picture (role="img", labelled by the text description)
 * @csspart canvas - the canvas the picture is drawn into
 * @csspart legend - the colour bar with its value range
 * @csspart legend-bar - the gradient strip of the colour bar
 * @csspart readout - the value under the pointer or keyboard cursor
 * @csspart error - the error message shown instead of the picture
 * @csspart empty - the note shown while there is no attribution
 * @csspart description - visually hidden text description of the map
 * @cssprop [--xai-heatmap-width=auto] - CSS width of the picture (the canvas keeps its pixel size)
 * @cssprop [--xai-heatmap-font=12px system-ui, sans-serif] - font of legend, read-out and errors
 * @cssprop [--xai-heatmap-error-color=#b00020] - colour of the error message
 * @cssprop [--xai-heatmap-focus-color=#1a73e8] - focus ring colour
 */
export class XaiHeatmap extends LitElement {
  static override properties = {
    image: { attribute: false },
    attribution: { attribute: false },
    colormap: { type: String, reflect: true },
    mode: { type: String, reflect: true },
    signed: { type: String, reflect: true },
    clip: { type: Number },
    range: { type: Number },
    opacity: { type: Number },
    topK: { type: Number, attribute: 'top-k' },
    reversed: { type: Boolean },
    reduce: { type: String },
    renderer: { type: String },
    label: { type: String },
    device: { attribute: false },
    state: { type: String, reflect: true },
    renderedWith: { type: String, reflect: true, attribute: 'rendered-with' },
    fallbackReason: { type: String, attribute: 'fallback-reason', reflect: true },
    _error: { state: true },
    _info: { state: true },
    _cursor: { state: true },
  };

  static override styles = heatmapStyles;

  /** The image under the map: URL, ImageBitmap, ImageData, `<img>`, `<canvas>` or an [H, W, C] tensor. Optional. */
  declare image: ImageInput | undefined;
  /** The attribution: tf.Tensor, `{data, shape}` or an `explain()` result. Not disposed by the element. */
  declare attribution: AttributionInput | undefined;
  /** Colormap: viridis, inferno, turbo, jet (sequential) or RdBu, PiYG (diverging). Default turbo. */
  declare colormap: ColormapName;
  /** overlay (default), side-by-side, heatmap-only, masked (only the top-k% pixels) or contour. */
  declare mode: BlendMode;
  /** Which sign to show: positive, negative, absolute (default, as PAIR and Captum) or both (diverging). */
  declare signed: SignMode;
  /** Percentile of the magnitudes where the colour scale saturates (PAIR's default: 99). */
  declare clip: number;
  /** Explicit saturation value; overrides `clip` (e.g. one colour scale shared by several maps). */
  declare range: number | undefined;
  /** Opacity of the heat colours over the image, 0..1 (default 0.5, as Captum's blended_heat_map). */
  declare opacity: number;
  /** Percentage of pixels kept by `masked` and `contour` (default 10). */
  declare topK: number;
  /** Flip the colormap (matplotlib's `_r`; e.g. RdBu reversed puts red on positive values). */
  declare reversed: boolean;
  /** How [H, W, C] attributions are reduced to one value per pixel (default `sum`, as Captum). */
  declare reduce: ChannelReduce;
  /** Drawing path requested: auto (default), webgpu or canvas2d. */
  declare renderer: HeatmapRendererChoice;
  /** Accessible name prefix (e.g. the method), used in the text description. */
  declare label: string;
  /** GPUDevice to use (e.g. tfjs's, to share buffers); default: `acquireDevice()`'s shared device. */
  declare device: GPUDevice | undefined;
  /** Lifecycle state (reflected). */
  declare state: HeatmapState;
  /** The path that drew the current picture (reflected); undefined before the first picture. */
  declare renderedWith: HeatmapRenderPath | undefined;
  /** Why `auto` fell back to the 2D canvas (reflected as `fallback-reason`). */
  declare fallbackReason: string | undefined;
  declare _error: XaiError | undefined;
  declare _info: HeatmapInfo | undefined;
  declare _cursor: Cursor | undefined;

  /**
   * One run per requested render. Starting a run aborts the signal of the run before it, so a
   * superseded render stops at its next check and never draws; the runs themselves execute one
   * after another on {@link #lane}, because they share the GPU renderer's buffers and the canvas.
   */
  #renders = new Task(this, {
    autoRun: false,
    task: (_args: readonly unknown[], { signal }: { signal: AbortSignal }) =>
      this.#lane.runUnlessSuperseded(signal, () => this.#render(signal)),
  });
  /** Every render and GPU release requested so far, in order. */
  #lane = new SerialLane(this);
  #renderer: HeatmapRenderer | undefined;
  #canvas: HTMLCanvasElement | undefined;
  #canvasPath: HeatmapRenderPath | undefined;
  #context: GPUCanvasContext | undefined;
  #map: AttributionMap | undefined;
  #mapSource: { input: unknown; reduce: ChannelReduce } | undefined;
  #image: ImagePixels | undefined;
  #imageSource: unknown;
  #cpuPixels: Uint32Array<ArrayBuffer> | undefined;
  /** The GPU-resident attribution being drawn (no CPU copy of its values), or undefined. */
  #gpuMap: GpuMap | undefined;
  /** Its value range and NaN/Inf count, from the newest read-out. */
  #gpuStats: AttributionStats | undefined;
  /** The newest GPU-resident draw's frame; read-outs of older frames are dropped. */
  #gpuFrame = 0;
  #gpuFramesDrawn = 0;
  /** The newest read-out being awaited (never rejects); renderComplete waits for it. */
  #readout: Promise<void> = Promise.resolve();
  /** The value under the read-out cursor on the GPU path (read on demand, not per frame). */
  #cursorValue: { x: number; y: number; value: number } | undefined;

  constructor() {
    super();
    this.image = undefined;
    this.attribution = undefined;
    this.colormap = 'turbo';
    this.mode = 'overlay';
    this.signed = 'absolute';
    this.clip = 99;
    this.range = undefined;
    this.opacity = 0.5;
    this.topK = 10;
    this.reversed = false;
    this.reduce = 'sum';
    this.renderer = 'auto';
    this.label = '';
    this.device = undefined;
    this.state = 'empty';
    this.renderedWith = undefined;
    this.fallbackReason = undefined;
    this._error = undefined;
    this._info = undefined;
    this._cursor = undefined;
    this.addEventListener('keydown', (e) => this.#onKey(e));
    this.addEventListener('blur', () => (this._cursor = undefined));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    if (this.hasUpdated) this.#scheduleRender(); // re-attached: GPU resources were freed on removal
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#renders.abort();
    // Queue the release behind any render in flight, so nothing it allocates survives.
    void this.#lane.run(() => this.#releaseGpu());
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (RENDER_PROPS.some((p) => changed.has(p as keyof XaiHeatmap))) this.#scheduleRender();
    if (changed.has('_cursor')) this.#fetchCursorValue(this._cursor);
  }

  /** Resolves when every render requested so far has finished (successfully or with an error). */
  get renderComplete(): Promise<void> {
    return this.drawComplete.then(() => this.#readout);
  }

  /**
   * Resolves when every render requested so far has drawn its picture, without waiting for the
   * numbers a GPU-resident attribution's read-out brings (see `renderComplete` for those): what a
   * frame loop awaits before handing over the next frame.
   */
  get drawComplete(): Promise<void> {
    return this.updateComplete.then(() => this.#lane.idle);
  }

  /** The attribution map as shown (after channel reduction), or undefined. */
  get attributionMap(): AttributionMap | undefined {
    return this.#map;
  }

  /** What the last render computed: clip value, max, output size. */
  get info(): HeatmapInfo | undefined {
    return this._info;
  }

  /** The error currently shown, if any. */
  get error(): XaiError | undefined {
    return this._error;
  }

  /**
   * GPU-resident attributions drawn so far (each a picture on screen, drawn without readback; their
   * numbers may still be on the way). For stream consumers, e.g. to measure frames per second.
   */
  get gpuFramesDrawn(): number {
    return this.#gpuFramesDrawn;
  }

  /** GPU buffers this element holds (0 after removal). */
  get gpuBufferCount(): number {
    return this.#renderer?.bufferCount ?? 0;
  }

  /**
   * The shown picture's pixels (read back from the GPU on the WebGPU path).
   * @throws {XaiError} nothing is shown.
   */
  async pixels(): Promise<ImageData> {
    await this.renderComplete;
    const info = this._info;
    if (!info || this.state !== 'ready') throw new InvalidOptionError(`<xai-heatmap> has no picture (state ${this.state})`);
    const packed = this.renderedWith === 'webgpu' && this.#renderer ? await this.#renderer.read(info) : this.#cpuPixels!;
    return new ImageData(new Uint8ClampedArray(packed.buffer, packed.byteOffset, packed.byteLength).slice(), info.outWidth, info.height);
  }

  /** The shown picture as a PNG (image only, without legend). */
  async toBlob(type = 'image/png'): Promise<Blob> {
    return imageDataToBlob(await this.pixels(), type);
  }

  /** Saves the picture as a PNG file through a temporary download link. */
  async download(filename = 'attribution.png'): Promise<void> {
    saveBlob(await this.toBlob(), filename);
  }

  #scheduleRender(): void {
    // Errors are shown by #render itself; the task's own rejection carries nothing new.
    this.#renders.run([]).catch(() => undefined);
  }

  async #render(signal: AbortSignal): Promise<void> {
    const stale = () => this.#lane.superseded(signal);
    try {
      if (this.attribution === undefined || this.attribution === null) {
        this.#showEmpty();
        return;
      }
      const options = this.#options();
      const gpuMap = this.renderer === 'canvas2d' ? undefined : this.#loadGpuMap();
      if (gpuMap) {
        await this.#renderGpuMap(gpuMap, options, signal);
        return;
      }
      this.#dropGpuMap();
      this.state = 'loading';
      validateHeatmapOptions(options);
      const map = await this.#loadMap();
      const image = await this.#loadImage(signal);
      if (stale()) return;
      checkImageFits(image, map);
      const sized: HeatmapOptions = { ...options, width: map.width, height: map.height, mode: image ? options.mode : 'heatmap-only' };
      const pixels = image?.pixels ?? new Uint32Array(map.width * map.height);
      const { device, reason } = await this.#gpuDevice();
      if (stale()) return;
      const info = device ? await this.#drawOnGpu(device, map, pixels, sized, stale) : this.#drawOnCanvas(map, pixels, sized);
      if (!info || stale()) return;
      await this.#showPicture(info, device ? 'webgpu' : 'canvas2d', reason);
    } catch (e) {
      if (stale()) return;
      this.#showError(toXaiError(e));
    }
  }

  /** The element's drawing options (the size is filled in once the map is known). */
  #options(): HeatmapOptions {
    return {
      width: 1,
      height: 1,
      colormap: this.colormap,
      sign: this.signed,
      clip: this.clip,
      range: this.range ?? undefined,
      mode: this.mode,
      opacity: this.opacity,
      topK: this.topK,
      reversed: this.reversed,
    };
  }

  /** The WGSL pipeline into a WebGPU canvas; undefined when a newer render took over meanwhile. */
  async #drawOnGpu(
    device: GPUDevice,
    map: AttributionMap,
    pixels: Uint32Array<ArrayBuffer>,
    sized: HeatmapOptions,
    stale: () => boolean,
  ): Promise<HeatmapInfo | undefined> {
    const renderer = this.#rendererFor(device);
    const info = await renderer.render(map.values, pixels, sized);
    if (stale()) return undefined;
    await this.#present(device, renderer, info);
    return info;
  }

  /** The renderer for `device` (a new one when the device changed). */
  #rendererFor(device: GPUDevice): HeatmapRenderer {
    if (this.#renderer?.device !== device) {
      this.#renderer?.dispose();
      this.#renderer = new HeatmapRenderer(device);
    }
    return this.#renderer;
  }

  /** Shows the renderer's output in the WebGPU canvas. */
  async #present(device: GPUDevice, renderer: HeatmapRenderer, size: Pick<HeatmapInfo, 'outWidth' | 'height'>): Promise<void> {
    const target = this.#presentTarget(device, size);
    await presentPixels(device, target.texture(), renderer.output!, size.outWidth, size.height);
    this.#cpuPixels = undefined;
  }

  /** The WebGPU canvas, sized and configured for `device`, as a place to draw a frame into. */
  #presentTarget(device: GPUDevice, size: Pick<HeatmapInfo, 'outWidth' | 'height'>): PresentTarget {
    const canvas = this.#ensureCanvas('webgpu', size);
    const context = (this.#context ??= canvas.getContext('webgpu')!);
    const format = navigator.gpu.getPreferredCanvasFormat();
    context.configure({ device, format, alphaMode: 'opaque', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
    return { format, texture: () => context.getCurrentTexture() };
  }

  /** The GPU-resident form of the attribution (reused while the input is unchanged), or undefined. */
  #loadGpuMap(): GpuMap | undefined {
    const input = this.attribution!;
    if (this.#gpuMap?.input === input && (!this.#gpuMap.owned || this.#gpuMapReduce === this.reduce)) return this.#gpuMap;
    this.#dropGpuMap();
    const gpuMap = gpuMapOf(input, this.reduce, this.device);
    this.#gpuMap = gpuMap;
    this.#gpuMapReduce = this.reduce;
    return gpuMap;
  }

  #gpuMapReduce: ChannelReduce | undefined;

  /** Forgets the GPU-resident attribution (disposing the channel reduction the element made). */
  #dropGpuMap(): void {
    this.#gpuMap?.owned?.dispose();
    this.#gpuMap = undefined;
    this.#gpuStats = undefined;
    this.#cursorValue = undefined;
  }

  /**
   * Draws a GPU-resident attribution with no readback; the numbers (legend, NaN/Inf check) are
   * requested asynchronously and shown by {@link #onReadout} when they arrive. The lane is not held
   * while they travel, so the next frame can be drawn meanwhile.
   */
  async #renderGpuMap(gpuMap: GpuMap, options: HeatmapOptions, signal: AbortSignal): Promise<void> {
    const stale = () => this.#lane.superseded(signal);
    if (this.state !== 'ready') this.state = 'loading'; // a stream of frames keeps its legend meanwhile
    validateHeatmapOptions(options);
    const image = await this.#loadImage(signal);
    if (stale()) return;
    checkImageFits(image, gpuMap);
    this.#map = undefined;
    this.#mapSource = undefined;
    const sized: HeatmapOptions = { ...options, width: gpuMap.width, height: gpuMap.height, mode: image ? options.mode : 'heatmap-only' };
    const pixels = image?.pixels ?? new Uint32Array(gpuMap.width * gpuMap.height);
    const renderer = this.#rendererFor(gpuMap.device);
    // The frame and its present go out in one queue.submit (a superseded frame may still reach the
    // canvas; the newer one follows it on the lane).
    const target = this.#presentTarget(gpuMap.device, { outWidth: blendOutputWidth(gpuMap.width, sized.mode), height: gpuMap.height });
    const draw = await renderer.draw(gpuMap.buffer, pixels, sized, target);
    this.#cpuPixels = undefined;
    if (stale()) return;
    this.#gpuFrame = draw.frame;
    this.#gpuFramesDrawn++;
    this.#readout = renderer.requestReadout().then(
      (readout) => this.#onReadout(readout, renderer, gpuMap),
      () => undefined, // a lost device surfaces at the next draw
    );
  }

  /** Shows a read-out's numbers, or the NaN/Inf error, if it belongs to the picture on screen. */
  async #onReadout(readout: HeatmapReadout | undefined, renderer: HeatmapRenderer, gpuMap: GpuMap): Promise<void> {
    if (!readout || renderer !== this.#renderer || gpuMap !== this.#gpuMap || readout.frame !== this.#gpuFrame) return;
    if (readout.stats.nonFinite > 0) {
      this.#showError(nonFiniteError(readout.stats.nonFinite, readout.stats.firstNonFinite, gpuMap.width));
      return;
    }
    this.#gpuStats = readout.stats;
    await this.#showPicture(readout.info, 'webgpu', undefined);
  }

  /** The kernels' CPU references into a 2D canvas. */
  #drawOnCanvas(map: AttributionMap, pixels: Uint32Array<ArrayBuffer>, sized: HeatmapOptions): HeatmapInfo {
    const result = renderHeatmapRef(map.values, pixels, sized);
    const canvas = this.#ensureCanvas('canvas2d', result.info);
    const bytes = new Uint8ClampedArray(result.pixels.buffer);
    canvas.getContext('2d')!.putImageData(new ImageData(bytes, result.info.outWidth, result.info.height), 0, 0);
    this.#cpuPixels = result.pixels;
    return result.info;
  }

  async #showPicture(info: HeatmapInfo, path: HeatmapRenderPath, reason: string | undefined): Promise<void> {
    this._error = undefined;
    this._info = info;
    this.renderedWith = path;
    this.fallbackReason = reason;
    this.state = 'ready';
    await this.updateComplete;
    fire<HeatmapRenderedDetail>(this, 'xai-rendered', { renderedWith: path, info, ...(reason ? { fallbackReason: reason } : {}) });
  }

  async #loadMap(): Promise<AttributionMap> {
    const input = this.attribution!;
    if (this.#map && this.#mapSource?.input === input && this.#mapSource.reduce === this.reduce) return this.#map;
    this.#map = undefined;
    const map = await toAttributionMap(input, this.reduce);
    this.#map = map;
    this.#mapSource = { input, reduce: this.reduce };
    return map;
  }

  async #loadImage(signal: AbortSignal): Promise<ImagePixels | undefined> {
    const input = this.image;
    if (input === undefined || input === null || (input as unknown) === '') return undefined;
    if (this.#image && this.#imageSource === input) return this.#image;
    this.#image = undefined;
    const image = await toImagePixels(input, signal);
    this.#image = image;
    this.#imageSource = input;
    return image;
  }

  async #gpuDevice(): Promise<{ device?: GPUDevice; reason?: string }> {
    if (this.renderer === 'canvas2d') return {};
    try {
      if (this.device) {
        if (isDeviceLost(this.device)) throw new DeviceLostError('the GPUDevice given to <xai-heatmap> was lost; pass a fresh device');
        return { device: this.device };
      }
      if (!('gpu' in navigator) || !navigator.gpu) throw new WebGPUUnavailableError('navigator.gpu is not available');
      return { device: await acquireDevice() };
    } catch (e) {
      if (this.renderer === 'webgpu') throw e;
      const reason = e instanceof Error ? e.message : String(e);
      return { reason: `WebGPU unavailable, drawn with the CPU reference on a 2D canvas: ${reason}` };
    }
  }

  #ensureCanvas(path: HeatmapRenderPath, info: Pick<HeatmapInfo, 'outWidth' | 'height'>): HTMLCanvasElement {
    if (!this.#canvas || this.#canvasPath !== path) {
      this.#context?.unconfigure();
      this.#context = undefined;
      this.#canvas = document.createElement('canvas');
      this.#canvas.setAttribute('part', 'canvas');
      this.#canvas.addEventListener('pointermove', (e) => this.#onPointer(e));
      this.#canvas.addEventListener('pointerleave', () => (this._cursor = undefined));
      this.#canvasPath = path;
      this.requestUpdate();
    }
    if (this.#canvas.width !== info.outWidth) this.#canvas.width = info.outWidth;
    if (this.#canvas.height !== info.height) this.#canvas.height = info.height;
    return this.#canvas;
  }

  #releaseGpu(): void {
    this.#dropGpuMap();
    this.#context?.unconfigure();
    this.#context = undefined;
    this.#canvas = undefined; // a new canvas (and context) after re-attachment
    this.#canvasPath = undefined;
    this.#renderer?.dispose();
    this.#renderer = undefined;
  }

  #showEmpty(): void {
    this._error = undefined;
    this._info = undefined;
    this.#clearPicture();
    this.state = 'empty';
  }

  #showError(error: XaiError): void {
    this._error = error;
    this._info = undefined;
    this.#clearPicture();
    this.state = 'error';
    fire<XaiErrorDetail>(this, 'xai-error', { error });
  }

  /** Drops the picture, so an error or an empty state never shows a stale one. */
  #clearPicture(): void {
    this.#cpuPixels = undefined;
    this._cursor = undefined;
    if (this.#canvas) {
      this.#context?.unconfigure();
      this.#context = undefined;
      this.#canvas.width = 0; // clears a 2D canvas; a fresh canvas is made for the next picture
      this.#canvas = undefined;
      this.#canvasPath = undefined;
    }
  }

  #valueAt(x: number, y: number): number | undefined {
    const map = this.#map;
    if (!map) return this.#cursorValue?.x === x && this.#cursorValue.y === y ? this.#cursorValue.value : undefined;
    if (x < 0 || y < 0 || x >= map.width || y >= map.height) return undefined;
    return map.values[y * map.width + x];
  }

  /** Size of the map on screen (CPU values or a GPU-resident map). */
  #mapSize(): { width: number; height: number } | undefined {
    return this.#map ?? this.#gpuMap;
  }

  /**
   * On the GPU path there is no CPU copy of the map: the value under the cursor is read from the GPU
   * when the cursor moves (a 4-byte read, outside the draw path).
   */
  #fetchCursorValue(cursor: { x: number; y: number } | undefined): void {
    const gpuMap = this.#gpuMap;
    if (!gpuMap || this.#map || !cursor || (this.#cursorValue?.x === cursor.x && this.#cursorValue.y === cursor.y)) return;
    readFloat32(gpuMap.device, gpuMap.buffer, 1, cursor.y * gpuMap.width + cursor.x).then(
      ([value]) => {
        if (this.#gpuMap !== gpuMap || this._cursor?.x !== cursor.x || this._cursor.y !== cursor.y) return;
        this.#cursorValue = { ...cursor, value: value! };
        this.requestUpdate();
      },
      () => undefined, // the buffer went away (tensor disposed): no read-out
    );
  }

  #onPointer(e: PointerEvent): void {
    const map = this.#mapSize();
    if (!this.#canvas || !map || this.state !== 'ready') return;
    this._cursor = cursorAtPointer(e, this.#canvas, map);
  }

  #onKey(e: KeyboardEvent): void {
    const map = this.#mapSize();
    if (!map || this.state !== 'ready') return;
    const action = cursorAfterKey(e, this._cursor, map);
    if (action.kind === 'hide') this._cursor = undefined;
    if (action.kind !== 'move') return;
    e.preventDefault();
    this._cursor = action.cursor;
  }

  /** The text description screen readers get (also the figure's accessible name). */
  get description(): string {
    const map = this.#map;
    const info = this._info;
    if (this._error) return `Error: ${this._error.message}`;
    if (!map && this.#gpuMap && this.#gpuStats && info) return describeGpuMap(this.#gpuMap, this.#gpuStats, info, this);
    if (!map || !info) return 'No attribution to show.';
    return describeMap(map, info, this);
  }

  override render() {
    const error = this._error;
    const info = this._info;
    const cursor = this._cursor;
    const value = cursor ? this.#valueAt(cursor.x, cursor.y) : undefined;
    const showPicture = this.state === 'ready' && !error;
    return html`
      <div part="figure" role="img" aria-label=${this.description} ?hidden=${!showPicture && this.state !== 'loading'}>
        ${this.#canvas ?? nothing}
      </div>
      ${error ? html`<div part="error" role="alert">${error.message}</div>` : nothing}
      ${this.state === 'empty' ? html`<div part="empty" role="status">No attribution to show.</div>` : nothing}
      ${
        showPicture && info
          ? html`<div part="legend" aria-hidden="true">
                <div part="legend-bar" style="background: ${colormapGradient(this.colormap, this.reversed)}"></div>
                <div class="ticks">${legendTicks(this.signed, info.clipValue).map((t) => html`<span>${t}</span>`)}</div>
              </div>
              <div part="readout" role="status" aria-live="polite">
                ${cursor && value !== undefined ? `x ${cursor.x}, y ${cursor.y}: ${formatValue(value)}` : ''}
              </div>`
          : nothing
      }
      <span part="description">${this.description}</span>
    `;
  }
}

/** Throws when the image under the map is not the map's size (a stretched overlay would be a wrong picture). */
function checkImageFits(image: ImagePixels | undefined, map: { width: number; height: number }): void {
  if (image && (image.width !== map.width || image.height !== map.height)) {
    throw new ShapeMismatchError(
      `attribution shape does not match the image: the attribution is ${map.width}x${map.height} (width x height) but the image is ${image.width}x${image.height}`,
    );
  }
}

if (!customElements.get('xai-heatmap')) customElements.define('xai-heatmap', XaiHeatmap);

declare global {
  interface HTMLElementTagNameMap {
    'xai-heatmap': XaiHeatmap;
  }
}
