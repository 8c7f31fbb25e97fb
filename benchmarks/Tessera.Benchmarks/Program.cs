using System.Globalization;
using Tessera.Benchmarks.Harness;
using Tessera.Benchmarks.Workloads;

namespace Tessera.Benchmarks;

/// <summary>
/// Entry point: <c>Tessera.Benchmarks WORKLOAD [--size small|full] [--repeats N]</c>, or
/// <c>--list</c>. Progress goes to standard error; exactly one JSON line goes to standard output.
/// </summary>
internal static class Program
{
    private const string Usage = "usage: run WORKLOAD [--size small|full] [--repeats N] [--only TEXT] | --list";

    private static int Main(string[] args)
    {
        string? workload = null;
        string size = "full";
        int? repeats = null;
        string? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            switch (a)
            {
                case "--list":
                    foreach (IWorkload w in WorkloadRegistry.All)
                    {
                        Console.Out.WriteLine($"{w.Name}\t{w.Description}");
                    }

                    return 0;
                case "-h" or "--help":
                    Console.Error.WriteLine(Usage);
                    Console.Error.WriteLine("workloads: " + WorkloadNames());
                    return 0;
                case "--size" when i + 1 < args.Length && args[i + 1] is "small" or "full":
                    size = args[++i];
                    break;
                case "--repeats" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int r) && r >= 1:
                    repeats = r;
                    i++;
                    break;
                case "--only" when i + 1 < args.Length:
                    only = args[++i];
                    break;
                default:
                    if (a.StartsWith('-') || workload is not null)
                    {
                        Console.Error.WriteLine($"bad argument '{a}'. {Usage}");
                        return 2;
                    }

                    workload = a;
                    break;
            }
        }

        if (workload is null)
        {
            Console.Error.WriteLine($"{Usage}\nworkloads: {WorkloadNames()}");
            return 2;
        }

        IWorkload? found = WorkloadRegistry.Find(workload);
        if (found is null)
        {
            Console.Error.WriteLine($"unknown workload '{workload}'; known workloads: {WorkloadNames()}");
            return 2;
        }

        var options = new BenchOptions(size, repeats ?? found.DefaultRepeats, only);
        Log.Write($"{found.Name} --size {options.Size} --repeats {options.Repeats} " +
                  $"(load {string.Join(' ', Report.LoadAverageAtStart)}, calibration wall/cpu {string.Join('/', Report.CalibrationAtStart)} s)");
        WorkloadReport report;
        try
        {
            report = found.Run(options);
        }
        catch (InvalidOperationException e)
        {
            // A failed result check (or a scheduler error): no JSON line, a non-zero exit.
            Console.Error.WriteLine($"{found.Name} failed: {e}");
            return 1;
        }

        Report.Emit(found.Name, options, report);
        return 0;
    }

    private static string WorkloadNames() => string.Join(", ", WorkloadRegistry.All.Select(w => w.Name));
}
