import { TrainerEvent } from '@trialhub/contracts';

type Event = TrainerEvent;
/** An event as the pipeline emits it; the reporter stamps the time. */
export type TrainerEventInput = Event extends infer E ? (E extends { at: string } ? Omit<E, 'at'> : never) : never;

export type EventSink = (event: TrainerEventInput) => void;

/**
 * Prints each event as one JSON line on `out` (the control plane relays them to the portal),
 * and, when `bar` is a terminal, a one-line progress bar for people watching.
 */
export function jsonLinesReporter(out: NodeJS.WritableStream = process.stdout, bar: NodeJS.WriteStream | undefined = process.stderr.isTTY ? process.stderr : undefined): EventSink {
  return (input) => {
    const event = { ...input, at: new Date().toISOString() } as Event;
    out.write(JSON.stringify(event) + '\n');
    if (bar) drawBar(bar, event);
  };
}

function drawBar(tty: NodeJS.WriteStream, event: Event): void {
  const width = 30;
  const line = (label: string, fraction: number, tail: string) => {
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
    tty.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${tail}\x1b[K`);
  };
  if (event.type === 'extract') line('features', event.total ? event.done / event.total : 1, `${event.done}/${event.total} (${event.cached} cached)`);
  else if (event.type === 'step') line('training', (event.step + 1) / event.steps, `step ${event.step + 1}/${event.steps} acc ${(event.trainAccuracy * 100).toFixed(1)}%`);
  else if (event.type === 'done') tty.write(`\rdone: ${event.headline ?? `test accuracy ${(event.testAccuracy * 100).toFixed(1)} %`} in ${event.seconds.toFixed(1)} s\x1b[K\n`);
  else if (event.type === 'warning' || event.type === 'error') tty.write(`\r\x1b[K${event.type}: ${event.message}\n`);
}
