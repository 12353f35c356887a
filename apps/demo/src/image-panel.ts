// SPDX-License-Identifier: Apache-2.0
// The image sources besides digits: samples, upload, paste, drag and drop, and a camera snapshot.
import { openCamera, stopCamera } from './camera.js';
import { canvasOf, pictureFromFile, samplePictures, type Picture } from './picture.js';

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;

/** The panel's sample buttons: which pictures they offer can change with the model. */
export interface ImageSources {
  /** The samples offered now. */
  readonly samples: readonly Picture[];
  /** Offers `pictures` as the samples (the shapes model brings its own data set's images). */
  setSamples(pictures: readonly Picture[]): void;
}

/** Calls `onPicture` with every picture the user gives; errors (not an image, no camera) are shown in the panel. */
export function attachImageSources(onPicture: (picture: Picture) => void): ImageSources {
  const error = $<HTMLElement>('#image-error');
  const report = (e: unknown) => {
    error.hidden = false;
    error.textContent = e instanceof Error ? e.message : String(e);
  };
  const take = (make: () => Promise<Picture>) =>
    make().then((p) => {
      error.hidden = true;
      onPicture(p);
    }, report);

  const sources = {
    samples: [] as readonly Picture[],
    setSamples(pictures: readonly Picture[]): void {
      if (pictures === sources.samples) return;
      sources.samples = pictures;
      $('#samples').replaceChildren(
        ...pictures.map((picture) => {
          const button = document.createElement('button');
          button.type = 'button';
          button.className = 'sample';
          button.setAttribute('aria-label', `Sample: ${picture.name}`);
          button.title = picture.name;
          const square = picture.original.width === picture.original.height;
          const thumb = canvasOf(picture.original, square ? 48 : 64, 48);
          button.append(thumb);
          button.addEventListener('click', () => void take(() => Promise.resolve(picture)));
          return button;
        }),
      );
    },
  };
  sources.setSamples(samplePictures());

  $<HTMLInputElement>('#image-file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void take(() => pictureFromFile(file, file.name));
  });
  document.addEventListener('paste', (e) => {
    const item = [...(e.clipboardData?.items ?? [])].find((i) => i.type.startsWith('image/'));
    const file = item?.getAsFile();
    if (file) void take(() => pictureFromFile(file, 'the pasted image'));
  });
  const panel = $<HTMLElement>('#image-panel');
  panel.addEventListener('dragover', (e) => e.preventDefault());
  panel.addEventListener('drop', (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (file) void take(() => pictureFromFile(file, file.name));
  });
  $('#snapshot').addEventListener('click', () => void take(snapshot));
  return sources;
}

/** One frame from the camera, which is closed again right after. */
async function snapshot(): Promise<Picture> {
  const { video, stream } = await openCamera();
  try {
    return { name: 'a camera photo', original: canvasOf(video, video.videoWidth, video.videoHeight) };
  } finally {
    stopCamera(video, stream);
  }
}
