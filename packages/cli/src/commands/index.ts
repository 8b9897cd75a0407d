import type { Command } from '../command.js';
import { clientsJoin, clientsServe } from './clients.js';
import { demo } from './demo.js';
import { dnsQuery } from './dns-query.js';
import { dnsServe } from './dns-serve.js';
import { mcastListen } from './mcast-listen.js';
import { mcastSend } from './mcast-send.js';
import { rawArp } from './raw-arp.js';
import { rawCapture } from './raw-capture.js';
import { rawPing } from './raw-ping.js';
import { rawSend } from './raw-send.js';
import { tcpChat } from './tcp-chat.js';
import { tcpSend } from './tcp-send.js';
import { tcpEcho, tcpListen, tcpServe } from './tcp-serve.js';
import { udpChat } from './udp-chat.js';
import { udpListen } from './udp-listen.js';
import { udpSend } from './udp-send.js';
import { udpEcho, udpServe } from './udp-serve.js';

/** Every command, in the order help lists them. */
export const COMMANDS: Command[] = [
  demo,
  udpSend,
  udpListen,
  udpEcho,
  udpServe,
  udpChat,
  tcpSend,
  tcpListen,
  tcpEcho,
  tcpServe,
  tcpChat,
  clientsServe,
  clientsJoin,
  mcastSend,
  mcastListen,
  dnsQuery,
  dnsServe,
  rawSend,
  rawPing,
  rawArp,
  rawCapture,
];
