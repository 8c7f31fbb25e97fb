using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Tessera.Distributed.Tests.Hosts;

namespace Tessera.Distributed.Tests;

/// <summary>
/// A scheduler and a worker on two "hosts" — network namespaces joined by a bridge, each with its
/// own address — started with the tessera command, and a client in the root namespace.
/// </summary>
[Collection(nameof(DataMovementTests))]
public sealed class MultiHostTests
{
    [Fact]
    public async Task SchedulerAndWorkerOnOtherHosts_ComputeForAClientOnAThird()
    {
        Assert.SkipWhen(NetnsHosts.Unavailable is not null, NetnsHosts.Unavailable ?? "");
        await using NetnsHosts hosts = NetnsHosts.Create(2);

        Process scheduler = hosts.StartTessera(0, "scheduler", "--host", hosts.HostIp(0), "--port", "8786");
        string schedulerLine = await TesseraCommand.ReadLineStartingWithAsync(scheduler, "Scheduler at ");
        string address = schedulerLine["Scheduler at ".Length..].Trim();
        Assert.Equal($"tcp://{hosts.HostIp(0)}:8786", address);

        Process worker = hosts.StartTessera(1, "worker", address, "--nthreads", "2", "--app-base", AppContext.BaseDirectory);
        string workerLine = await TesseraCommand.ReadLineStartingWithAsync(worker, "Worker at ");
        Assert.StartsWith($"Worker at tcp://{hosts.HostIp(1)}:", workerLine, StringComparison.Ordinal);

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
        Assert.Contains(hosts.HostIp(1), await seen);
        Assert.DoesNotContain(hosts.HostIp(1), NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address.ToString()));
    }
}
