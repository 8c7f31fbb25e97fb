using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Tessera.Distributed.Tests;

/// <summary>
/// A scheduler and a worker on two "hosts" — network namespaces joined by a bridge, each with its
/// own address — started with the tessera command, and a client in the root namespace.
/// </summary>
public sealed class MultiHostTests : IAsyncLifetime
{
    private readonly string _suffix = Random.Shared.Next(0x10000, 0xFFFFF).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
    private readonly int _subnet = Random.Shared.Next(1, 250);
    private readonly List<Process> _processes = [];
    private bool _created;

    private string Bridge => "tsbr" + _suffix;

    private string HostA => "tsa-" + _suffix;

    private string HostB => "tsb-" + _suffix;

    private string Ip(int host) => $"10.214.{_subnet}.{host}";

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (Process p in _processes)
        {
            try
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
            }

            p.Dispose();
        }

        if (_created)
        {
            Ip("netns", "del", HostA, check: false);
            Ip("netns", "del", HostB, check: false);
            Ip("link", "del", Bridge, check: false);
        }
    }

    [Fact]
    public async Task SchedulerAndWorkerOnOtherHosts_ComputeForAClientOnAThird()
    {
        Assert.SkipWhen(Environment.UserName != "root", "network namespaces need root (CI runs as root)");
        CreateHosts();
        string cli = Path.Combine(AppContext.BaseDirectory, "Tessera.Cli.dll");

        Process scheduler = Start(HostA, cli, "scheduler", "--host", Ip(11), "--port", "8786");
        string schedulerLine = await ReadLineStartingWith(scheduler, "Scheduler at ");
        string address = schedulerLine["Scheduler at ".Length..].Trim();
        Assert.Equal($"tcp://{Ip(11)}:8786", address);

        Process worker = Start(HostB, cli, "worker", address, "--nthreads", "2", "--app-base", AppContext.BaseDirectory);
        string workerLine = await ReadLineStartingWith(worker, "Worker at ");
        Assert.StartsWith($"Worker at tcp://{Ip(12)}:", workerLine, StringComparison.Ordinal);

        await using Client client = await Client.ConnectAsync(address);
        long bias = 3;
        var f = Delayed.Of<long, long>(x => (x * x) + bias);
        var total = Delayed.Of<IReadOnlyList<long>, long>(xs => xs.Sum())(Delayed.List(Enumerable.Range(0, 100).Select(i => f(i))));
        Assert.Equal(Enumerable.Range(0, 100).Sum(i => ((long)i * i) + bias), await total.ComputeAsync(client, TestContext.Current.CancellationToken));

        // The work really ran on the second host: its process sees that host's address.
        using Future<string[]> seen = client.Submit(() => NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => a.Address.ToString())
            .ToArray());
        Assert.Contains(Ip(12), await seen);
        Assert.DoesNotContain(Ip(12), NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address.ToString()));
    }

    private void CreateHosts()
    {
        _created = true;
        Ip("link", "add", Bridge, "type", "bridge");
        Ip("addr", "add", $"{Ip(1)}/24", "dev", Bridge);
        Ip("link", "set", Bridge, "up");
        int i = 0;
        foreach ((string ns, int host) in new[] { (HostA, 11), (HostB, 12) })
        {
            string veth = $"tsv{i++}{_suffix}";
            Ip("netns", "add", ns);
            Ip("link", "add", veth, "type", "veth", "peer", "name", veth + "p");
            Ip("link", "set", veth + "p", "netns", ns);
            Ip("link", "set", veth, "master", Bridge, "up");
            Ip("-n", ns, "link", "set", "lo", "up");
            Ip("-n", ns, "addr", "add", $"{Ip(host)}/24", "dev", veth + "p");
            Ip("-n", ns, "link", "set", veth + "p", "up");
        }
    }

    private Process Start(string ns, string cli, params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "netns", "exec", ns, "dotnet", cli }.Concat(args))
        {
            start.ArgumentList.Add(a);
        }

        Process p = Process.Start(start)!;
        _processes.Add(p);
        return p;
    }

    private static async Task<string> ReadLineStartingWith(Process p, string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            string? line = await p.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                Assert.Fail($"The process exited before printing '{prefix}…': {await p.StandardError.ReadToEndAsync(timeout.Token)}");
            }

            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    private static void Ip(params string[] args) => Ip(args, check: true);

    private static void Ip(string a, string b, string c, bool check) => Ip([a, b, c], check);

    private static void Ip(string[] args, bool check)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start)!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (check && p.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed: {error.Trim()}");
        }
    }
}
