// SPDX-License-Identifier: Apache-2.0
// The camera: open it into a (detached) <video>, and stop every track when done.

/** Opens the user's camera; resolves once the first frame is there. Errors name what the browser said. */
export async function openCamera(): Promise<{ video: HTMLVideoElement; stream: MediaStream }> {
  if (!navigator.mediaDevices?.getUserMedia)
    throw new Error(
      'this browser gives pages no camera (navigator.mediaDevices is missing; the page must be served over https or from localhost)',
    );
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  } catch (e) {
    throw new Error(`the camera could not be opened: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  await video.play();
  if (!video.videoWidth) await new Promise((resolve) => video.addEventListener('loadeddata', resolve, { once: true }));
  return { video, stream };
}

/** Stops every track (the camera light goes off) and detaches the stream. */
export function stopCamera(video: HTMLVideoElement, stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
  video.pause();
  video.srcObject = null;
}
