using Tessera.Distributed.Runtime;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>A scheduler, workers and a client in this process, connected through a message network.</summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private InProcessCluster(SchedulerServer scheduler, WorkerServer[] workers, Client client)
    {
        Scheduler = scheduler;
        Workers = workers;
        Client = client;
    }

    public SchedulerServer Scheduler { get; }

    public WorkerServer[] Workers { get; }

    public Client Client { get; }

    public static async Task<InProcessCluster> StartAsync(IMessageNetwork network, IWireSerializer serializer, int workers = 2, int threads = 1, string address = "memory://0", bool setAsDefault = false, bool uploadCode = false, TimeSpan? workerTimeout = null, TimeSpan? heartbeatInterval = null)
    {
        SchedulerServer scheduler = await SchedulerServer.StartAsync(network, address, workerTimeout: workerTimeout);
        var ws = new WorkerServer[workers];
        for (int i = 0; i < workers; i++)
        {
            string listen = address.StartsWith("inproc://", StringComparison.Ordinal) ? $"{address}-w{i}" : address;
            ws[i] = await WorkerServer.StartAsync(network, serializer, scheduler.Address, listen, threads, name: $"w{i}", heartbeatInterval: heartbeatInterval);
        }

        Client client = await Client.ConnectAsync(network, serializer, scheduler.Address, setAsDefault, CancellationToken.None, uploadCode);
        return new InProcessCluster(scheduler, ws, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        foreach (WorkerServer w in Workers)
        {
            await w.DisposeAsync();
        }

        await Scheduler.DisposeAsync();
    }
}
