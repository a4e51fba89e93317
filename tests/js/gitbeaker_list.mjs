// Lists a GitLab group's projects with @gitbeaker/rest, as a second client of the sandbox:
// node gitbeaker_list.mjs HOST GROUP [TOKEN] → JSON on stdout.
import { Gitlab } from "@gitbeaker/rest";

const [host, group, token] = process.argv.slice(2);
const api = new Gitlab({ host, token: token || undefined });
const { data: listed, paginationInfo } = await api.Groups.allProjects(group, {
  includeSubgroups: true, withShared: false, visibility: "public", perPage: 100,
  orderBy: "id", sort: "asc", showExpanded: true,
});
const projects = [];
for (const item of listed) {
  const shown = await api.Projects.show(item.id, { license: true });
  const languages = await api.Projects.showLanguages(item.id);
  const merges = await api.MergeRequests.all({
    projectId: item.id, state: "opened", perPage: 1, maxPages: 1, showExpanded: true,
  });
  projects.push({
    id: item.id, path_with_namespace: item.path_with_namespace, star_count: item.star_count,
    forks_count: item.forks_count, open_issues_count: item.open_issues_count ?? null,
    archived: item.archived, license_key: shown.license ? shown.license.key : null,
    languages, open_merge_requests: merges.paginationInfo.total,
  });
}
process.stdout.write(JSON.stringify({ total: paginationInfo.total, projects }));
