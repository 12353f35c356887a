// SPDX-License-Identifier: Apache-2.0
/** @webxai/ui — Lit web components. Elements register themselves on import. */
export {};
