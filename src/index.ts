/**
 * @module index
 * Worker entry: the Hono app, nothing else.
 */
import { createApp } from "./app.ts";

export default createApp();
