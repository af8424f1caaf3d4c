/**
 * @module heads
 * Post-processing for the token-level heads, independent of the engine: entity aggregation for
 * token classification, and window building, span search and answer selection for extractive QA.
 */
export { ENTITY_DECODINGS, ENTITY_STRATEGIES, aggregateEntities, isEntityDecoding, isEntityStrategy, type AggregateOptions, type Entity, type EntityDecoding, type EntityStrategy, type EntityToken } from "./entities.ts";
export { decodeBio } from "./bio-decode.ts";
export { entityTokens, type PieceOffsets } from "./entity-tokens.ts";
export { DEFAULT_DOC_STRIDE, DEFAULT_MAX_QUESTION_TOKENS, defaultStride, qaWindows, type QaWindow, type QaWindowOptions } from "./windows.ts";
export { DEFAULT_MAX_ANSWER_TOKENS, bestSpans, nullScore, type SpanOptions, type SpanWindow, type TokenSpan } from "./spans.ts";
export { answerQuestion, startEndLogits, type Answer, type AnswerInput, type AnswerOptions, type AnswerWindow, type WindowLogits } from "./qa.ts";
export { softmaxRow, softmaxRows } from "./softmax.ts";
