// SPDX-License-Identifier: Apache-2.0
// Brush-to-occlude: paint over part of the image and see the model's prediction for the original's
// top class change, next to the original's. The mask lives at the model's input resolution; painted
// pixels take a fill (grey, a blurred copy of the image, or seeded noise). One prediction runs at a
// time; strokes made meanwhile are folded into the next one (latest wins, nothing queues up).
import * as tf from '@tensorflow/tfjs';
import { adaptModel, type ModelAdapter } from '@webxai/core';
import { preprocessOf, type DemoModel } from './models.js';
import { pixelsOf, type ModelView } from './picture.js';

export type Fill = 'grey' | 'blur' | 'noise' | 'black';

/** What the caption shows and the e2e test reads (window.webxaiDemo.brush). */
export interface BrushStats {
  /** The class followed: the original's top class. */
  target?: number;
  original?: number;
  occluded?: number;
  occludedTop?: string;
  /** Predictions made for occluded images. */
  updates: number;
  /** Fraction of the image painted over. */
  covered: number;
}

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;

/** Probabilities from scores: as they are when they already sum to 1, else softmax. */
export function probabilities(scores: readonly number[]): number[] {
  const isProbability = scores.every((v) => v >= 0 && v <= 1) && Math.abs(scores.reduce((a, b) => a + b, 0) - 1) < 1e-3;
  if (isProbability) return [...scores];
  const max = Math.max(...scores);
  const exps = scores.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** A seeded xorshift32 stream in [0, 1) (the noise fill is the same every time). */
function noise(count: number, seed = 0x9e3779b9): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

export class Brush {
  readonly stats: BrushStats = { updates: 0, covered: 0 };
  #model: DemoModel | undefined;
  #adapter: ModelAdapter | undefined;
  #view: ModelView | undefined;
  #mask: Float32Array = new Float32Array(0);
  #undo: Float32Array[] = [];
  #fills: Record<Fill, Uint8ClampedArray> | undefined;
  #cursor = { x: 0, y: 0 };
  #running: Promise<void> | undefined;
  #dirty = false;
  readonly #canvas = $<HTMLCanvasElement>('#brush-canvas');
  readonly #original = $<HTMLCanvasElement>('#brush-original');
  readonly #size = $<HTMLInputElement>('#brush-size');
  readonly #fill = $<HTMLSelectElement>('#brush-fill');

  constructor() {
    let painting = false;
    const at = (e: PointerEvent) => {
      const r = this.#canvas.getBoundingClientRect();
      return { x: ((e.clientX - r.left) / r.width) * this.#canvas.width, y: ((e.clientY - r.top) / r.height) * this.#canvas.height };
    };
    this.#canvas.addEventListener('pointerdown', (e) => {
      painting = true;
      this.#canvas.setPointerCapture(e.pointerId);
      this.#beginStroke();
      this.#paint(at(e));
    });
    this.#canvas.addEventListener('pointermove', (e) => painting && this.#paint(at(e)));
    this.#canvas.addEventListener('pointerup', () => (painting = false));
    this.#canvas.addEventListener('keydown', (e) => this.#onKey(e));
    this.#fill.addEventListener('change', () => this.#changed());
    $('#brush-undo').addEventListener('click', () => this.undo());
    $('#brush-clear').addEventListener('click', () => this.clear());
  }

  setModel(model: DemoModel): void {
    this.#model = model;
    const preprocess = preprocessOf(model);
    this.#adapter = adaptModel(model.model, preprocess ? { preprocess } : {});
  }

  /** A new image (at the model's size): the mask starts empty; the original is predicted once. */
  async setImage(view: ModelView): Promise<void> {
    this.#view = view;
    const { width, height } = view.image;
    for (const canvas of [this.#canvas, this.#original]) {
      canvas.width = width;
      canvas.height = height;
      canvas.classList.toggle('pixelated', width < 112);
    }
    this.#original.getContext('2d')!.putImageData(view.image, 0, 0);
    this.#mask = new Float32Array(width * height);
    this.#undo = [];
    this.#cursor = { x: width / 2, y: height / 2 };
    this.#fills = makeFills(view.image);
    const scores = await this.#predict(view.image);
    const p = probabilities(scores);
    const target = p.indexOf(Math.max(...p));
    Object.assign(this.stats, { target, original: p[target], occluded: p[target], occludedTop: this.#label(target), covered: 0 });
    $('#brush-original-caption').textContent = `Original: ${this.#label(target)} ${(p[target]! * 100).toFixed(1)}%`;
    this.#draw();
    this.#caption();
  }

  undo(): void {
    const last = this.#undo.pop();
    if (last) {
      this.#mask = last;
      this.#changed();
    }
  }

  clear(): void {
    if (this.#mask.some((v) => v > 0)) this.#undo.push(this.#mask.slice());
    this.#mask.fill(0);
    this.#changed();
  }

  /** Resolves when the occluded image's prediction is up to date. */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #label(index: number): string {
    return this.#model?.labels[index] ?? `class ${index}`;
  }

  #beginStroke(): void {
    this.#undo.push(this.#mask.slice());
  }

  #paint({ x, y }: { x: number; y: number }): void {
    const { width, height } = this.#canvas;
    const radius = (Number(this.#size.value) * Math.min(width, height)) / 56;
    for (let j = Math.max(0, Math.floor(y - radius)); j <= Math.min(height - 1, Math.ceil(y + radius)); j++) {
      for (let i = Math.max(0, Math.floor(x - radius)); i <= Math.min(width - 1, Math.ceil(x + radius)); i++) {
        if ((i + 0.5 - x) ** 2 + (j + 0.5 - y) ** 2 <= radius * radius) this.#mask[j * width + i] = 1;
      }
    }
    this.#changed();
  }

  #onKey(e: KeyboardEvent): void {
    const { width, height } = this.#canvas;
    const step = Math.max(1, Math.round(Math.min(width, height) / 28));
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const move = moves[e.key];
    if (move) {
      this.#cursor = {
        x: Math.min(width - 1, Math.max(0, this.#cursor.x + move[0])),
        y: Math.min(height - 1, Math.max(0, this.#cursor.y + move[1])),
      };
      if (e.shiftKey)
        this.#paint(this.#cursor); // Shift+arrows paint as they move
      else this.#draw();
    } else if (e.key === ' ' || e.key === 'Enter') {
      this.#beginStroke();
      this.#paint(this.#cursor);
    } else if (e.key === 'z' && (e.ctrlKey || e.metaKey)) this.undo();
    else return;
    e.preventDefault();
  }

  /** The image with the mask applied (RGBA). */
  #occluded(): ImageData {
    const view = this.#view!;
    const fill = this.#fills![this.#fill.value as Fill];
    const out = new ImageData(new Uint8ClampedArray(view.image.data), view.image.width, view.image.height);
    for (let p = 0; p < this.#mask.length; p++) {
      const m = this.#mask[p]!;
      if (m > 0) for (let c = 0; c < 3; c++) out.data[4 * p + c] = view.image.data[4 * p + c]! * (1 - m) + fill[4 * p + c]! * m;
    }
    return out;
  }

  #draw(): void {
    if (!this.#view) return;
    const g = this.#canvas.getContext('2d')!;
    g.putImageData(this.#occluded(), 0, 0);
    if (document.activeElement === this.#canvas) {
      const radius = (Number(this.#size.value) * Math.min(this.#canvas.width, this.#canvas.height)) / 56;
      g.strokeStyle = '#ffd400';
      g.lineWidth = Math.max(0.5, this.#canvas.width / 224);
      g.beginPath();
      g.arc(this.#cursor.x, this.#cursor.y, radius, 0, 2 * Math.PI);
      g.stroke();
    }
  }

  #changed(): void {
    this.#draw();
    this.#dirty = true;
    if (!this.#running) this.#running = this.#update().finally(() => (this.#running = undefined));
  }

  async #update(): Promise<void> {
    while (this.#dirty && this.#view) {
      this.#dirty = false;
      const p = probabilities(await this.#predict(this.#occluded()));
      const target = this.stats.target ?? 0;
      const top = p.indexOf(Math.max(...p));
      this.stats.occluded = p[target]!;
      this.stats.occludedTop = this.#label(top);
      this.stats.covered = this.#mask.reduce((a, b) => a + b, 0) / this.#mask.length;
      this.stats.updates++;
      this.#caption();
    }
  }

  #caption(): void {
    const s = this.stats;
    if (s.target === undefined || s.original === undefined || s.occluded === undefined) return;
    const label = this.#label(s.target);
    $('#brush-caption').textContent =
      `Occluded (${(s.covered * 100).toFixed(0)}% painted): reads as ${s.occludedTop}; ${label} ${(s.original * 100).toFixed(1)}% → ${(s.occluded * 100).toFixed(1)}%`;
  }

  async #predict(image: ImageData): Promise<number[]> {
    const model = this.#model!;
    const x = tf.tensor4d(pixelsOf(image, model.channels), [1, model.height, model.width, model.channels]);
    try {
      const scores = await this.#adapter!.predict(x);
      const values = Array.from(await scores.data());
      scores.dispose();
      return values;
    } finally {
      x.dispose();
    }
  }
}

/** The fills at the image's size: mid grey, a blurred copy (σ ≈ 1/16 of the side), seeded noise, and black (erase a digit). */
function makeFills(image: ImageData): Record<Fill, Uint8ClampedArray> {
  const { width, height } = image;
  const grey = new Uint8ClampedArray(width * height * 4).fill(128);
  const source = document.createElement('canvas');
  source.width = width;
  source.height = height;
  source.getContext('2d')!.putImageData(image, 0, 0);
  const blurred = document.createElement('canvas');
  blurred.width = width;
  blurred.height = height;
  const g = blurred.getContext('2d', { willReadFrequently: true })!;
  g.filter = `blur(${Math.max(1, Math.min(width, height) / 16)}px)`;
  g.drawImage(source, 0, 0);
  const blur = g.getImageData(0, 0, width, height).data;
  const random = noise(width * height * 4);
  const noisy = new Uint8ClampedArray(width * height * 4).map((_, i) => (i % 4 === 3 ? 255 : Math.round(random[i]! * 255)));
  const black = new Uint8ClampedArray(width * height * 4);
  return { grey, blur, noise: noisy, black };
}
