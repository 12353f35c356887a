// SPDX-License-Identifier: Apache-2.0
export {
  trustReport,
  disposeTrustReport,
  type TrustReport,
  type TrustReportMap,
  type TrustReportOptions,
  type TrustReportRow,
} from './trust-report.js';
