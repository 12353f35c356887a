// SPDX-License-Identifier: Apache-2.0
export {
  pointingGame,
  relevanceMass,
  relevanceRank,
  pointingGameScores,
  relevanceMassScores,
  relevanceRankScores,
} from './localisation.js';
export type { LocalisationOptions, PointingGameOptions } from './localisation.js';
export type { GroundTruthMask } from './mask.js';
