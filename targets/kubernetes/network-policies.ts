/**
 * Deny by default, then exactly the connections of connections.ts: for each
 * service that receives, an ingress policy naming its clients and ports; for
 * each client, an egress policy naming its targets. Every pod may ask the
 * cluster's DNS; nginx takes connections from anywhere (the Ingress
 * controller lives in another namespace, a LoadBalancer's clients outside).
 */
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPort } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort";
import type { Edge } from "./connections.js";
import { NAME_LABEL, PART_OF_LABEL } from "./names.js";
import type { Source } from "./source.js";

const policy = (name: string, slug: string, spec: INetworkPolicy["spec"]): INetworkPolicy => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, labels: { [PART_OF_LABEL]: slug } },
  spec,
});

const pods = (name: string) => ({ podSelector: { matchLabels: { [NAME_LABEL]: name } } });
const tcp = (ports: readonly number[]): INetworkPolicyPort[] => [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: "TCP", port }));

/** Groups edges by one end, then by the other, ports sorted. */
function grouped(edges: readonly Edge[], by: "from" | "to"): Map<string, Map<string, number[]>> {
  const other = by === "from" ? "to" : "from";
  const out = new Map<string, Map<string, number[]>>();
  for (const e of edges) {
    const m = out.get(e[by]) ?? new Map<string, number[]>();
    m.set(e[other], [...(m.get(e[other]) ?? []), e.port]);
    out.set(e[by], m);
  }
  return out;
}

export function networkPolicies(src: Source, edges: readonly Edge[]): INetworkPolicy[] {
  const s = src.slug;
  const nginx = src.services.find((x) => x.dioptra === "nginx");
  const ingress = [...grouped(edges, "to")].map(([to, from]) =>
    policy(`${to}-ingress`, s, {
      podSelector: { matchLabels: { [NAME_LABEL]: to } },
      policyTypes: ["Ingress"],
      ingress: [...from].map(([f, ports]) => ({ from: [pods(f)], ports: tcp(ports) })),
    }),
  );
  const egress = [...grouped(edges, "from")].map(([from, to]) =>
    policy(`${from}-egress`, s, {
      podSelector: { matchLabels: { [NAME_LABEL]: from } },
      policyTypes: ["Egress"],
      egress: [...to].map(([t, ports]) => ({ to: [pods(t)], ports: tcp(ports) })),
    }),
  );
  return [
    policy(`${s}-default-deny`, s, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    policy(`${s}-dns`, s, {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }],
    }),
    ...(nginx ? [policy(`${nginx.name}-from-anywhere`, s, { podSelector: { matchLabels: { [NAME_LABEL]: nginx.name } }, policyTypes: ["Ingress"], ingress: [{ ports: tcp(nginx.ports.map((p) => p.port)) }] })] : []),
    ...ingress,
    ...egress,
  ].sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}
