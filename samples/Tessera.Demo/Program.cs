using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Tessera;
using Tessera.Demo;
using Tessera.Diagnostics;
using Tessera.Distributed;
using Tessera.Graphs;
using Tessera.Scheduling;

// Tessera's demo: a cross-validated grid search written with Delayed, computed in parallel with a
// progress bar and a profiler, then drawn as a graph picture and a profile timeline.
string output = "demo-output";
int rows = 20_000;
int workers = Environment.ProcessorCount;
bool cluster = true;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out" when i + 1 < args.Length:
            output = args[++i];
            break;
        case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int r) && r >= 100:
            rows = r;
            i++;
            break;
        case "--workers" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int w) && w >= 1:
            workers = w;
            i++;
            break;
        case "--no-cluster":
            cluster = false;
            break;
        case "-h" or "--help":
            Console.WriteLine("Usage: Tessera.Demo [--out DIR (default ./demo-output)] [--rows N (default 20000)] [--workers N (default: one per core)] [--no-cluster]");
            return 0;
        default:
            Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'; run with --help for the options.");
            return 2;
    }
}

var settings = new GridSettings(rows, Seed: 42, Folds: 5, Degrees: [1, 2, 3, 4], Lambdas: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]);
Directory.CreateDirectory(output);
IAnsiConsole console = AnsiConsole.Console;

var building = Stopwatch.StartNew();
Delayed<Report> search = GridSearch.Build(settings);
TaskGraph graph = search.ToGraph();
building.Stop();
console.MarkupLine(Invariant($"[bold]Grid search[/] of polynomial ridge regressions on {rows:N0} rows x {Ridge.FeatureCount} features:"));
console.MarkupLine(Invariant($"degrees {string.Join(", ", settings.Degrees)} x {settings.Lambdas.Count} lambdas x {settings.Folds} folds."));
console.MarkupLine(Invariant($"Built a graph of {graph.Count:N0} tasks in {building.Elapsed.TotalMilliseconds:0.#} ms; computing on {workers} thread(s)."));

var profiler = new Profiler();
Report report;
using (new ProgressBar().Activate())
using (profiler.Activate())
{
    report = search.Compute(new ThreadedScheduler(workers));
}

Model best = report.Best;
console.WriteLine();
console.MarkupLine(Invariant($"[bold green]Best model[/]: degree {best.Degree} ({best.Features} features), lambda {best.Lambda:G3}"));
console.MarkupLine(Invariant($"  validation MSE ({settings.Folds}-fold): {best.ValidationMse:0.0000}"));
console.MarkupLine(Invariant($"  test MSE ({report.TestRows:N0} held-out rows): {report.TestMse:0.0000}   (noise variance {Ridge.NoiseSigma * Ridge.NoiseSigma:0.0000})"));
console.WriteLine();
profiler.WriteTable(console);

string graphPath = Path.Combine(output, "graph.svg");
try
{
    search.Visualize(graphPath);
}
catch (FileNotFoundException e)
{
    // Graphviz is not installed: keep the DOT text, which any Graphviz viewer can draw later.
    graphPath = Path.Combine(output, "graph.dot");
    search.Visualize(graphPath);
    console.MarkupLine(Invariant($"[yellow]{Markup.Escape(e.Message)}[/]"));
}

string profilePath = Path.Combine(output, "profile.svg");
profiler.WriteTimeline(profilePath, Invariant($"Grid search: {profiler.Results.Count:N0} tasks on {workers} thread(s), {profiler.Elapsed.TotalSeconds:0.00} s"));
console.WriteLine();
console.MarkupLine(Invariant($"Task graph: [link]{Markup.Escape(Path.GetFullPath(graphPath))}[/]"));
console.MarkupLine(Invariant($"Profile:    [link]{Markup.Escape(Path.GetFullPath(profilePath))}[/]"));

if (cluster)
{
    // The same graph on a local cluster of worker processes: the closures travel to the workers.
    console.WriteLine();
    var clock = Stopwatch.StartNew();
    await using LocalCluster local = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: Math.Max(1, workers / 2));
    await using Client client = await Client.ConnectAsync(local);
    TimeSpan startup = clock.Elapsed;
    clock.Restart();
    Report remote = await search.ComputeAsync(client);
    console.MarkupLine(Invariant($"[bold]On a LocalCluster[/] of {local.WorkerCount} worker processes (started in {startup.TotalSeconds:0.00} s): computed in {clock.Elapsed.TotalSeconds:0.00} s."));
    bool same = remote.Best.Degree == best.Degree && remote.Best.Lambda == best.Lambda && Math.Abs(remote.TestMse - report.TestMse) < 1e-9;
    console.MarkupLine(same
        ? Invariant($"  same best model (degree {remote.Best.Degree}, lambda {remote.Best.Lambda:G3}) and test MSE {remote.TestMse:0.0000} as the threaded run.")
        : Invariant($"[red]  the cluster's answer differs: degree {remote.Best.Degree}, lambda {remote.Best.Lambda:G3}, test MSE {remote.TestMse:0.0000}[/]"));
    if (!same)
    {
        return 1;
    }
}

return 0;

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
