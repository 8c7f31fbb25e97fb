using System.Diagnostics;

namespace Tessera.Distributed.Tests.Hosts;

/// <summary>
/// Simulated hosts for tests: network namespaces joined by a bridge, each with its own address, in which
/// the tessera command runs as a scheduler or a worker; the test process stays in the root namespace
/// (reachable from every host at <see cref="BridgeIp"/>). nftables rules in a host drop its packets to
/// simulate loss and partitions. Needs root; <see cref="Unavailable"/> says whether the tests can run.
/// </summary>
internal sealed class NetnsHosts : IAsyncDisposable
{
    private readonly string _suffix = Random.Shared.Next(0x10000, 0xFFFFF).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
    private readonly int _subnet = Random.Shared.Next(1, 250);
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];

    private NetnsHosts()
    {
    }

    /// <summary>Gets why the tests cannot run here (they need root), or null when they can.</summary>
    public static string? Unavailable => Environment.UserName != "root" ? "network namespaces need root (CI runs as root)" : null;

    /// <summary>Gets why <see cref="DropPackets"/> cannot run here (root and nftables' nft command), or null when it can.</summary>
    public static string? FaultsUnavailable => Unavailable ?? (File.Exists("/usr/sbin/nft") ? null : "packet drops need nftables (apt-get install nftables)");

    /// <summary>Gets the address of the root namespace on the bridge, where the test process listens for hosts.</summary>
    public string BridgeIp => Ip(1);

    private string Bridge => "tsbr" + _suffix;

    /// <summary>Creates <paramref name="count"/> hosts, numbered from 0, on a new bridge.</summary>
    public static NetnsHosts Create(int count)
    {
        var hosts = new NetnsHosts();
        try
        {
            Run("ip", "link", "add", hosts.Bridge, "type", "bridge");
            Run("ip", "addr", "add", $"{hosts.BridgeIp}/24", "dev", hosts.Bridge);
            Run("ip", "link", "set", hosts.Bridge, "up");
            for (int i = 0; i < count; i++)
            {
                string ns = $"ts{i}-{hosts._suffix}", veth = $"tsv{i}{hosts._suffix}";
                Run("ip", "netns", "add", ns);
                hosts._namespaces.Add(ns);
                Run("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "p");
                Run("ip", "link", "set", veth + "p", "netns", ns);
                Run("ip", "link", "set", veth, "master", hosts.Bridge, "up");
                Run("ip", "-n", ns, "link", "set", "lo", "up");
                Run("ip", "-n", ns, "addr", "add", $"{hosts.HostIp(i)}/24", "dev", veth + "p");
                Run("ip", "-n", ns, "link", "set", veth + "p", "up");
            }

            return hosts;
        }
        catch
        {
            hosts.RemoveNetwork();
            throw;
        }
    }

    /// <summary>Gets the address of host <paramref name="host"/>.</summary>
    public string HostIp(int host) => Ip(11 + host);

    /// <summary>Starts <c>dotnet Tessera.Cli.dll args</c> in host <paramref name="host"/>; it is killed on dispose.</summary>
    public Process StartTessera(int host, params string[] args)
    {
        Process p = TesseraCommand.Start("ip", ["netns", "exec", _namespaces[host], "dotnet", TesseraCommand.Program, .. args]);
        _processes.Add(p);
        return p;
    }

    /// <summary>
    /// Starts a scheduler in host 0 on port 8786 and one worker in each other host, and returns the
    /// scheduler's address once every worker has said where it listens.
    /// </summary>
    public async Task<string> StartClusterAsync(int threadsPerWorker, params string[] schedulerArgs)
    {
        Process scheduler = StartTessera(0, ["scheduler", "--host", HostIp(0), "--port", "8786", "--no-dashboard", .. schedulerArgs]);
        string address = (await TesseraCommand.ReadLineStartingWithAsync(scheduler, "Scheduler at "))["Scheduler at ".Length..].Trim();
        for (int host = 1; host < _namespaces.Count; host++)
        {
            Process worker = StartTessera(host, "worker", address, "--nthreads", threadsPerWorker.ToString(System.Globalization.CultureInfo.InvariantCulture), "--app-base", AppContext.BaseDirectory);
            await TesseraCommand.ReadLineStartingWithAsync(worker, "Worker at ");
        }

        return address;
    }

    /// <summary>Drops packets entering or leaving host <paramref name="host"/>: a percentage at random, or all of them (100).</summary>
    public void DropPackets(int host, int percent)
    {
        string ns = _namespaces[host];
        Run("ip", "netns", "exec", ns, "nft", "add", "table", "inet", "faults");
        foreach (string hook in new[] { "input", "output" })
        {
            Run("ip", "netns", "exec", ns, "nft", $"add chain inet faults {hook} {{ type filter hook {hook} priority 0; }}");
            Run("ip", "netns", "exec", ns, "nft", percent >= 100
                ? $"add rule inet faults {hook} iifname != lo oifname != lo drop"
                : $"add rule inet faults {hook} iifname != lo oifname != lo numgen random mod 100 < {percent} drop");
        }
    }

    /// <summary>Removes the rules <see cref="DropPackets"/> added to host <paramref name="host"/>.</summary>
    public void Heal(int host) => Run("ip", "netns", "exec", _namespaces[host], "nft", "delete", "table", "inet", "faults");

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

        RemoveNetwork();
    }

    private string Ip(int last) => $"10.214.{_subnet}.{last}";

    private void RemoveNetwork()
    {
        foreach (string ns in _namespaces)
        {
            Run(["ip", "netns", "del", ns], check: false);
        }

        Run(["ip", "link", "del", Bridge], check: false);
    }

    private static void Run(params string[] command) => Run(command, check: true);

    private static void Run(string[] command, bool check)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in command.Skip(1))
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start)!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (check && p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} failed: {error.Trim()}");
        }
    }
}
