// The benchmark's report: a Markdown table and an SVG chart of latency per scenario.

export function renderMarkdown({ date, machine, settings, summary }) {
  const rows = summary.scenarios.map(
    (s) =>
      `| ${s.scenario} | ${s.rps} | ${s.xFloor} | ${s.p50Ms} | ${s.p99Ms} | ${s.cpuUsPerRequest} | ${s.xFloorCpu} | ${s.peakRssMb} | ${s.non2xx} |`,
  );
  const f = summary.floor;
  const login = summary.scenarios.find((s) => s.scenario === 'login');
  const boot = summary.scenarios.find((s) => s.bootMs !== undefined)?.bootMs;
  return [
    `Measured ${date.slice(0, 16).replace('T', ' ')} UTC on ${machine.cores} × ${machine.cpu}, ${machine.memGb} GiB, Node ${machine.node};`,
    `median of ${settings.runs} runs of ${settings.durationSeconds} s after ${settings.warmupSeconds} s of warm-up, ${settings.connections} connections.`,
    ...(settings.tracing
      ? [
          `Tracing on: every span exported over OTLP/HTTP to a stand-in collector (${settings.tracing.exports} exports, ${Math.round(settings.tracing.bytes / 1e6)} MB).`,
        ]
      : []),
    '',
    '| scenario | req/s | × floor | p50 ms | p99 ms | CPU µs/req | CPU × floor | peak RSS MB | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| floor (node:http + pg) | ${f.rps} | 1.00 | ${f.p50Ms} | ${f.p99Ms} | ${f.cpuUsPerRequest} | 1.00 | ${f.peakRssMb} | 0 |`,
    ...rows,
    '',
    `argon2id verifications alone (before and after the logins): ${summary.hashesPerSecond}/s; login reached ${login?.xHashRate !== undefined ? Math.round(login.xHashRate * 100) : '?'}% of it (median of the runs' ratios).`,
    ...summary.scenarios
      .filter((s) => s.xListFloor !== undefined)
      .map(
        (s) =>
          `${s.scenario}: ${s.xListFloor} × the list floor's throughput (node:http + pg serving the same page) at ${s.xListFloorCpu} × its CPU per request.`,
      ),
    `Boot to ready (production build, warm database): ${boot ?? '?'} ms.`,
    `Welcome mail at the SMTP server after sign-up (median of 20 sign-ups, one at a time): ${summary.mailDeliveryMs ?? '?'} ms.`,
    '',
  ].join('\n');
}

export function renderSvg({ summary }) {
  const bars = [
    { scenario: 'floor', p50Ms: summary.floor.p50Ms, p99Ms: summary.floor.p99Ms },
    ...summary.scenarios,
  ];
  const width = 760;
  const rowHeight = 34;
  const left = 120;
  const chartWidth = width - left - 90;
  const height = 50 + bars.length * rowHeight + 30;
  const max = Math.max(...bars.map((b) => b.p99Ms), 1);
  const x = (ms) => Math.max(1, (ms / max) * chartWidth);
  const rows = bars
    .map((b, i) => {
      const y = 40 + i * rowHeight;
      return [
        `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${b.scenario}</text>`,
        `<rect x="${left}" y="${y + 4}" width="${x(b.p99Ms).toFixed(1)}" height="22" fill="#f4b183"/>`,
        `<rect x="${left}" y="${y + 4}" width="${x(b.p50Ms).toFixed(1)}" height="22" fill="#2f6fb0"/>`,
        `<text x="${left + x(b.p99Ms) + 6}" y="${y + 20}" class="v">${b.p50Ms} / ${b.p99Ms} ms</text>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">
<style>.v{fill:#444;font-size:12px}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="${left}" y="22" font-weight="bold">Latency per scenario (ms): p50 (blue) and p99 (orange)</text>
${rows}
</svg>
`;
}
