using System.CommandLine;
using System.Globalization;
using System.Runtime.Loader;
using Tessera;
using Tessera.Dashboard;
using Tessera.Distributed;

// `tessera scheduler` and `tessera worker ADDRESS`: a thin shell over SchedulerHost and WorkerHost.
var root = new RootCommand("Tessera: run a scheduler or workers of a Tessera cluster.");

var host = new Option<string>("--host") { Description = "Interface to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
var port = new Option<int>("--port") { Description = "Port to listen on (0 picks a free one).", DefaultValueFactory = _ => 8786 };
var dashboardAddress = new Option<string>("--dashboard-address") { Description = "Where the dashboard listens: host:port, :port (on 127.0.0.1) or a port; a port in use is replaced by a free one.", DefaultValueFactory = _ => new DashboardOptions().Address };
var noDashboard = new Option<bool>("--no-dashboard") { Description = "Do not serve the dashboard." };
var saturation = new Option<double>("--worker-saturation") { Description = "Root tasks per worker thread before queuing on the scheduler.", DefaultValueFactory = _ => 1.1 };
var workerTtl = new Option<double>("--worker-ttl") { Description = "Seconds without a heartbeat after which a worker is removed and its tasks run elsewhere.", DefaultValueFactory = _ => 300 };
var noWorkStealing = new Option<bool>("--no-work-stealing") { Description = "Do not move tasks that a busy worker has not started to workers with idle threads." };
var scheduler = new Command("scheduler", "Start a scheduler and print its address.") { host, port, dashboardAddress, noDashboard, saturation, workerTtl, noWorkStealing };
scheduler.SetAction(async (parse, cancellationToken) =>
{
    var options = new SchedulerOptions
    {
        Address = $"tcp://{parse.GetValue(host)}:{parse.GetValue(port)}",
        WorkerSaturation = parse.GetValue(saturation),
        WorkerTimeout = TimeSpan.FromSeconds(parse.GetValue(workerTtl)),
        WorkStealing = !parse.GetValue(noWorkStealing),
        Dashboard = parse.GetValue(noDashboard) ? null : DashboardServer.Factory(new DashboardOptions { Address = parse.GetValue(dashboardAddress)! }),
    };
    await using SchedulerHost s = await SchedulerHost.StartAsync(options, cancellationToken);
    Console.WriteLine($"Scheduler at {s.Address}");
    if (s.Dashboard is { } dashboard)
    {
        if (dashboard.Notice is { } notice)
        {
            Console.WriteLine(notice);
        }

        Console.WriteLine($"Dashboard at {s.DashboardAddress}");
    }

    await WaitForShutdownAsync(cancellationToken);
    return 0;
});

var address = new Argument<string>("address") { Description = "The scheduler's address, e.g. tcp://host:8786." };
var nthreads = new Option<int>("--nthreads") { Description = "Threads per worker (default: cores / nworkers).", DefaultValueFactory = _ => 0 };
var nworkers = new Option<int>("--nworkers") { Description = "Workers in this process.", DefaultValueFactory = _ => 1 };
var name = new Option<string?>("--name") { Description = "The worker's name." };
var memoryLimit = new Option<string?>("--memory-limit") { Description = "Memory limit per worker, e.g. 4GB or 4000000000; 0 for none. Above fractions of it the worker spills to disk, pauses, or stops (see the --memory-*-fraction options)." };
var localDirectory = new Option<string?>("--local-directory") { Description = "Where workers spill results to disk (default: the temporary directory)." };
var targetFraction = new Option<string?>("--memory-target-fraction") { Description = "Fraction of the memory limit that held results may take before they spill to disk (default 0.6; off to disable)." };
var spillFraction = new Option<string?>("--memory-spill-fraction") { Description = "Fraction of the memory limit in process memory above which the worker spills until below the target (default 0.7; off to disable)." };
var pauseFraction = new Option<string?>("--memory-pause-fraction") { Description = "Fraction of the memory limit in process memory above which the worker starts no new tasks (default 0.8; off to disable)." };
var terminateFraction = new Option<string?>("--memory-terminate-fraction") { Description = "Fraction of the memory limit in process memory above which the worker process stops, for its nanny to restart it (default 0.95; off to disable)." };
var resources = new Option<string?>("--resources") { Description = "Abstract resources each worker has, e.g. \"GPU=2,MEM=10e9\"; tasks submitted with resources run only on workers that have them." };
var listen = new Option<string>("--listen-address") { Description = "Where peers reach this worker; 0.0.0.0 means the interface that reaches the scheduler.", DefaultValueFactory = _ => "tcp://0.0.0.0:0" };
var appBase = new Option<string?>("--app-base") { Description = "Directory of the client application's assemblies (LocalCluster sets it)." };
var noNanny = new Option<bool>("--no-nanny") { Description = "Run the workers in this process, with no nanny process that restarts a worker that dies." };
var nannyDefaults = new NannyOptions();
var maxFailedStarts = new Option<int>("--nanny-max-failed-starts") { Description = "Worker processes in a row that may die before joining before the nanny gives up.", DefaultValueFactory = _ => nannyDefaults.MaxFailedStarts };
var restartBackoff = new Option<double>("--nanny-restart-backoff") { Description = "Seconds the nanny waits before a fresh worker process when the last died before joining, doubled for each such death in a row.", DefaultValueFactory = _ => nannyDefaults.RestartBackoff.TotalSeconds };
var maxRestarts = new Option<int?>("--nanny-max-restarts") { Description = "Worker processes the nanny replaces within --nanny-restart-window before it gives up (default: no limit)." };
var restartWindow = new Option<double>("--nanny-restart-window") { Description = "Seconds --nanny-max-restarts counts in.", DefaultValueFactory = _ => nannyDefaults.RestartWindow.TotalSeconds };
var stopTimeout = new Option<double>("--nanny-stop-timeout") { Description = "Seconds a worker process the nanny stops has to stop in good order before it is killed.", DefaultValueFactory = _ => nannyDefaults.StopTimeout.TotalSeconds };
var nannyChild = new Option<bool>("--nanny-child") { Description = "Run as a nanny's worker: stop when standard input closes.", Hidden = true };
var restartReason = new Option<string?>("--restart-reason") { Description = "Why the nanny restarted this worker, for the scheduler's log.", Hidden = true };
var worker = new Command("worker", "Start workers that join the scheduler at ADDRESS, each in a process of its own under a nanny that restarts it if it dies.") { address, nthreads, nworkers, name, memoryLimit, localDirectory, targetFraction, spillFraction, pauseFraction, terminateFraction, resources, listen, appBase, noNanny, maxFailedStarts, restartBackoff, maxRestarts, restartWindow, stopTimeout, nannyChild, restartReason };
worker.SetAction(async (parse, cancellationToken) =>
{
    int count = Math.Max(1, parse.GetValue(nworkers));
    int threads = parse.GetValue(nthreads) is > 0 and int t ? t : Math.Max(1, Environment.ProcessorCount / count);
    if (!parse.GetValue(noNanny) && !parse.GetValue(nannyChild))
    {
        // A nanny per worker (as Dask's `dask worker --nworkers N` starts N nannies), each running
        // `tessera worker` again for one worker: the options given here, with the name numbered and
        // the threads of one of the N workers.
        // The nanny's own limits stay here: they are checked once, before any nanny starts.
        Option[] notPassed = [nworkers, name, nthreads, maxFailedStarts, restartBackoff, maxRestarts, restartWindow, stopTimeout];
        string[] passed = [.. worker.Options.Where(o => !notPassed.Contains(o)).SelectMany(o => parse.GetResult(o) is { Implicit: false, IdentifierToken: { } id } r ? [id.Value, .. r.Tokens.Select(t => t.Value)] : Enumerable.Empty<string>())];
        string[] self = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? [System.Reflection.Assembly.GetEntryAssembly()!.Location] : [];
        var limits = new NannyOptions
        {
            MaxFailedStarts = parse.GetValue(maxFailedStarts),
            RestartBackoff = TimeSpan.FromSeconds(parse.GetValue(restartBackoff)),
            MaxRestarts = parse.GetValue(maxRestarts),
            RestartWindow = TimeSpan.FromSeconds(parse.GetValue(restartWindow)),
            StopTimeout = TimeSpan.FromSeconds(parse.GetValue(stopTimeout)),
        };
        try
        {
            limits.Check("tessera worker");
        }
        catch (ArgumentOutOfRangeException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }

        int[] exits = await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
        {
            string[] named = parse.GetValue(name) is { } n ? ["--name", count == 1 ? n : $"{n}-{i}"] : [];
            var nanny = new WorkerNanny(Environment.ProcessPath!, [.. self, "worker", parse.GetValue(address)!, "--nthreads", threads.ToString(CultureInfo.InvariantCulture), .. passed, .. named, "--nanny-child"], reason => ["--restart-reason", reason])
            {
                SchedulerAddress = parse.GetValue(address),
                Options = limits,
            };
            return nanny.RunAsync(cancellationToken);
        }));
        return exits.Max();
    }

    if (parse.GetValue(appBase) is { } dir)
    {
        ResolveFrom(dir);
    }

    IReadOnlyDictionary<string, double>? workerResources = parse.GetValue(resources) is { } r ? WorkerOptions.ParseResources(r) : null;
    var defaults = new WorkerMemoryOptions();
    var memory = new WorkerMemoryOptions
    {
        Limit = ParseBytes(parse.GetValue(memoryLimit)),
        LocalDirectory = parse.GetValue(localDirectory),
        TargetFraction = ParseFraction(parse.GetValue(targetFraction), defaults.TargetFraction),
        SpillFraction = ParseFraction(parse.GetValue(spillFraction), defaults.SpillFraction),
        PauseFraction = ParseFraction(parse.GetValue(pauseFraction), defaults.PauseFraction),
        TerminateFraction = ParseFraction(parse.GetValue(terminateFraction), defaults.TerminateFraction),

        // Workers that share this process cannot tell their memory apart: the process thresholds are for one.
        OwnsProcess = count == 1,
    };
    var hosts = new List<WorkerHost>();
    try
    {
        for (int i = 0; i < count; i++)
        {
            string? workerName = parse.GetValue(name) is { } n ? (count == 1 ? n : $"{n}-{i}") : null;
            hosts.Add(await WorkerHost.StartAsync(
                parse.GetValue(address)!,
                new WorkerOptions { Threads = threads, Name = workerName, ListenAddress = parse.GetValue(listen)!, Memory = memory, Resources = workerResources, RestartReason = parse.GetValue(restartReason), RestartEndsWorker = parse.GetValue(nannyChild) },
                cancellationToken));
            Console.WriteLine($"Worker at {hosts[^1].Address} with {threads} thread(s)");
        }

        // A nanny's worker stops when the nanny closes its input, or dies.
        Task nannyGone = parse.GetValue(nannyChild) ? Task.Run(() => Console.In.ReadToEndAsync(cancellationToken), cancellationToken) : Task.Delay(Timeout.Infinite, cancellationToken);
        await Task.WhenAny(WaitForShutdownAsync(cancellationToken), nannyGone, Task.WhenAny(hosts.Select(h => h.Completion)));

        // A nanny's worker that the scheduler asked to restart before its nanny registered (the scheduler
        // then has no nanny to ask): the nanny starts a fresh process, whose new address it registers.
        return hosts.Exists(h => h.RestartRequested) ? WorkerNanny.ExitCodeRestartRequested : 0;
    }
    finally
    {
        foreach (WorkerHost h in hosts)
        {
            await h.DisposeAsync();
        }
    }
});

root.Subcommands.Add(scheduler);
root.Subcommands.Add(worker);
return await root.Parse(args).InvokeAsync();

static async Task WaitForShutdownAsync(CancellationToken cancellationToken)
{
    try
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
    catch (OperationCanceledException)
    {
    }
}

// Loads the client application's assemblies on demand, so closures from it resolve on this worker.
static void ResolveFrom(string directory)
{
    string full = Path.GetFullPath(directory);
    AssemblyLoadContext.Default.Resolving += (context, assemblyName) =>
    {
        string candidate = Path.Combine(full, assemblyName.Name + ".dll");
        return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
    };
}

static double? ParseFraction(string? text, double? byDefault) => text?.Trim().ToUpperInvariant() switch
{
    null or "" => byDefault,
    "OFF" or "FALSE" or "NONE" => null,
    string t => double.Parse(t, CultureInfo.InvariantCulture),
};

static long ParseBytes(string? text) => string.IsNullOrWhiteSpace(text) ? 0 : Units.ParseBytes(text);
