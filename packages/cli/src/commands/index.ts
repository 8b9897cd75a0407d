import type { Command } from '../command.js';
import { demo } from './demo.js';
import { udpChat } from './udp-chat.js';
import { udpListen } from './udp-listen.js';
import { udpSend } from './udp-send.js';
import { udpEcho, udpServe } from './udp-serve.js';

/** Every command, in the order help lists them. */
export const COMMANDS: Command[] = [demo, udpSend, udpListen, udpEcho, udpServe, udpChat];
