/** The `spots` command (its options and pipeline: src/script/spots.ts). */
import type { CommandDef } from '../context.ts';
import { spotsCommand as makeSpotsCommand } from '../spots.ts';

export const spotsCommand: CommandDef = makeSpotsCommand();
