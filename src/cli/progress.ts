import cliProgress from 'cli-progress';

export interface Progress {
  /** Work done so far out of `total` (total may grow as it becomes known). */
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

/**
 * A progress bar on a terminal (stderr), or a line every 10 % when stderr is not a terminal,
 * so logs of scripted runs still show that long work advances.
 */
export function progress(title: string): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${title} [{bar}] {percentage}% {value}/{total} {label}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, label = '') {
        if (!started) {
          bar.start(total, done, { label });
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, { label });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastDecile = -1;
  return {
    update(done, total, label = '') {
      const decile = total > 0 ? Math.floor((done / total) * 10) : 0;
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(
          `${title} ${Math.round((done / Math.max(total, 1)) * 100)}% ${done}/${total} ${label}\n`,
        );
      }
    },
    stop() {},
  };
}
