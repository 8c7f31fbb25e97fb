using Tessera.Distributed.Protocol;
using Tessera.Distributed.Runtime;
using Tessera.Graphs;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>What a client sends the scheduler when futures are released, seen by a scripted scheduler.</summary>
public sealed class ReleaseBatchingTests
{
    private static long Inc(long x) => x + 1;

    [Fact]
    public async Task DisposingManyFutures_ReleasesTheirKeysInFewMessages_BeforeAnyLaterMessage()
    {
        await using IMessageListener listener = await InMemoryNetwork.Instance.ListenAsync("memory://0");
        Task<Client> connecting = Client.ConnectAsync(InMemoryNetwork.Instance, TestSerializers.Create(), listener.Address, setAsDefault: false, CancellationToken.None);
        await using IMessageChannel scheduler = await listener.AcceptAsync();
        Assert.IsType<RegisterClient>(await scheduler.ReceiveAsync());
        await scheduler.SendAsync(new Welcome("scripted", 1));
        await using Client client = await connecting.WaitAsync(TimeSpan.FromSeconds(30));

        IReadOnlyList<Future<long>> futures = client.Map(Inc, Enumerable.Range(0, 100).Select(i => (long)i));
        Key[] keys = [.. futures.Select(f => f.Key)];
        Assert.IsType<UpdateGraph>(await scheduler.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        foreach (Future<long> f in futures)
        {
            f.Dispose();
        }

        // Submitting one of the keys again: its release must arrive first.
        using Future<long> again = client.Submit(Inc, 0L);
        Assert.Equal(keys[0], again.Key);

        var released = new List<Key>();
        int releaseMessages = 0;
        while (true)
        {
            Message m = await scheduler.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            if (m is ReleaseKeys r)
            {
                releaseMessages++;
                released.AddRange(r.Keys);
                continue;
            }

            UpdateGraph resubmitted = Assert.IsType<UpdateGraph>(m);
            Assert.Equal(keys[0], Assert.Single(resubmitted.Wanted));
            break;
        }

        Assert.Equal(keys.Order(), released.Order());
        Assert.InRange(releaseMessages, 1, 99);

        // The scripted scheduler goes first, so that the client's receive loop ends with it.
        await scheduler.DisposeAsync();
    }
}
